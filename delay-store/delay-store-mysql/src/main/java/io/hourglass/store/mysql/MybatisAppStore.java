package io.hourglass.store.mysql;

import io.hourglass.core.model.App;
import io.hourglass.core.spi.AppStore;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import static io.hourglass.store.mysql.StoreErrors.call;

/**
 * {@link AppStore} on MyBatis: tables {@code delay_message_app} and {@code delay_message_topic}. Each call is one
 * statement: {@code createApp} a plain INSERT whose duplicate-key error means "exists", {@code updateApp} an UPDATE
 * conditional on the version before it (0 rows: the app is missing or moved on).
 */
final class MybatisAppStore implements AppStore {

    private final AppMapper mapper;
    /** Bounds the reads of an authentication (see {@link #bounded}); null: unbounded (tests of the mapper alone). */
    private final TransactionTemplate tx;

    MybatisAppStore(AppMapper mapper) {
        this(mapper, null);
    }

    MybatisAppStore(AppMapper mapper, TransactionTemplate tx) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.tx = tx;
    }

    @Override
    public Optional<App> findApp(String appKey) {
        return bounded("findApp", () -> Optional.ofNullable(mapper.selectApp(appKey)).map(AppRow::toApp));
    }

    @Override
    public boolean createApp(App app) {
        AppRow row = AppRow.of(app);
        return call("createApp", () -> {
            try {
                return mapper.insertApp(row) == 1;
            } catch (RuntimeException e) {
                if (StoreErrors.isDuplicate(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public boolean updateApp(App app) {
        AppRow row = AppRow.of(app);
        return call("updateApp", () -> mapper.updateApp(row) == 1);
    }

    @Override
    public List<App> listApps(String afterAppKey, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        String after = afterAppKey == null || afterAppKey.isEmpty() ? null : afterAppKey;
        return call("listApps", () -> {
            List<App> apps = new ArrayList<>();
            for (AppRow r : mapper.selectApps(after, limit)) {
                apps.add(r.toApp());
            }
            return apps;
        });
    }

    @Override
    public Set<String> topicsOf(String appKey) {
        return bounded("topicsOf", () -> Set.copyOf(mapper.selectTopics(appKey)));
    }

    @Override
    public void addTopic(String appKey, String topic, long now) {
        call("addTopic", () -> mapper.insertTopicIfAbsent(appKey, topic, now));
    }

    @Override
    public boolean removeTopic(String appKey, String topic) {
        return call("removeTopic", () -> mapper.deleteTopic(appKey, topic) > 0);
    }

    @Override
    public Map<String, Set<String>> topicGrants() {
        return call("topicGrants", () -> {
            // sorted here too: Java's String order, whatever the collation of the server
            Map<String, Set<String>> grants = new TreeMap<>();
            for (AppMapper.Grant g : mapper.selectGrants()) {
                grants.computeIfAbsent(g.topic, t -> new TreeSet<>()).add(g.appKey);
            }
            return grants;
        });
    }

    /** The reads an authentication makes on a cache miss, bounded like a transaction ({@link StoreErrors#bounded}). */
    private <T> T bounded(String action, Supplier<T> work) {
        return StoreErrors.bounded(tx, action, work);
    }

}
