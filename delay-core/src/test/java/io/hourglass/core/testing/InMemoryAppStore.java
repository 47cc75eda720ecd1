package io.hourglass.core.testing;

import io.hourglass.core.model.App;
import io.hourglass.core.spi.AppStore;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An {@link AppStore} in a map, for tests. */
public final class InMemoryAppStore implements AppStore {
    private final ConcurrentHashMap<String, App> apps = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<String>> topics = new ConcurrentHashMap<>();

    @Override
    public Optional<App> findApp(String appKey) {
        return Optional.ofNullable(apps.get(appKey));
    }

    @Override
    public void saveApp(App app) {
        apps.put(app.appKey(), app);
    }

    @Override
    public Set<String> topicsOf(String appKey) {
        return Set.copyOf(topics.getOrDefault(appKey, Set.of()));
    }

    @Override
    public void addTopic(String appKey, String topic, long now) {
        topics.computeIfAbsent(appKey, k -> ConcurrentHashMap.newKeySet()).add(topic);
    }
}
