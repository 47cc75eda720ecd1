package io.hourglass.core.testing;

import io.hourglass.core.model.App;
import io.hourglass.core.spi.AppStore;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link AppStore} in a map, for tests. */
public final class InMemoryAppStore implements AppStore {
    private final ConcurrentSkipListMap<String, App> apps = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<String, Set<String>> topics = new ConcurrentHashMap<>();
    private final AtomicInteger finds = new AtomicInteger();

    /** How many times {@link #findApp} was called (to check what a cache spares the store). */
    public int finds() {
        return finds.get();
    }

    @Override
    public Optional<App> findApp(String appKey) {
        finds.incrementAndGet();
        return Optional.ofNullable(apps.get(appKey));
    }

    @Override
    public boolean createApp(App app) {
        return apps.putIfAbsent(app.appKey(), app) == null;
    }

    @Override
    public synchronized boolean updateApp(App app) {
        App stored = apps.get(app.appKey());
        if (stored == null || stored.version() != app.version() - 1) {
            return false;
        }
        apps.put(app.appKey(), new App(app.appKey(), app.name(), app.owner(), app.description(), app.enabled(),
                app.quotas(), app.secret(), app.previousSecret(), stored.createdAt(), app.updatedAt(), app.version()));
        return true;
    }

    @Override
    public List<App> listApps(String afterAppKey, int limit) {
        var tail = afterAppKey == null || afterAppKey.isEmpty() ? apps : apps.tailMap(afterAppKey, false);
        return tail.values().stream().limit(limit).toList();
    }

    @Override
    public Set<String> topicsOf(String appKey) {
        return Set.copyOf(topics.getOrDefault(appKey, Set.of()));
    }

    @Override
    public void addTopic(String appKey, String topic, long now) {
        topics.computeIfAbsent(appKey, k -> ConcurrentHashMap.newKeySet()).add(topic);
    }

    @Override
    public boolean removeTopic(String appKey, String topic) {
        Set<String> of = topics.get(appKey);
        return of != null && of.remove(topic);
    }

    @Override
    public Map<String, Set<String>> topicGrants() {
        Map<String, Set<String>> grants = new TreeMap<>();
        topics.forEach((app, ts) -> ts.forEach(t -> grants.computeIfAbsent(t, x -> new TreeSet<>()).add(app)));
        return grants;
    }
}
