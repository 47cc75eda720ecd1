package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.model.App;
import io.hourglass.core.spi.AppStore;

import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@link AppStore} on Cassandra: tables {@code app} (one partition per app) and {@code app_topic} (an app's topics in
 * one partition). Saving an app keeps its first {@code created_at}; registering a topic twice keeps the first
 * registration ({@code IF NOT EXISTS}: admin operations, rare, so the lightweight transaction costs nothing that
 * matters).
 */
final class CassandraAppStore implements AppStore {

    private final Cql cql;

    CassandraAppStore(Cql cql) {
        this.cql = Objects.requireNonNull(cql, "cql");
    }

    @Override
    public Optional<App> findApp(String appKey) {
        return call("findApp", () -> Optional.ofNullable(cql.sync(cql.plain(cql.selectApp, appKey)).one())
                .map(CassandraAppStore::toApp));
    }

    @Override
    public void saveApp(App app) {
        call("saveApp", () -> {
            Row existing = cql.sync(cql.plain(cql.selectApp, app.appKey())).one();
            long createdAt = existing == null || existing.isNull("created_at") ? app.createdAt()
                    : existing.getLong("created_at");
            cql.sync(cql.plain(cql.insertApp, app.appKey(), app.secretHash(), app.salt(), app.enabled(), createdAt));
            return null;
        });
    }

    @Override
    public Set<String> topicsOf(String appKey) {
        return call("topicsOf", () -> {
            Set<String> topics = new HashSet<>();
            for (Row r : cql.sync(cql.plain(cql.selectTopics, appKey))) {
                topics.add(r.getString(0));
            }
            return Set.copyOf(topics);
        });
    }

    @Override
    public void addTopic(String appKey, String topic, long now) {
        call("addTopic", () -> cql.sync(cql.lwt(cql.insertTopicIfAbsent, appKey, topic, now)));
    }

    private static App toApp(Row r) {
        return new App(r.getString("app_key"), r.getString("secret_hash"), r.getString("salt"),
                r.getBoolean("enabled"), r.getLong("created_at"));
    }

    private static <T> T call(String action, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(action, e);
        }
    }
}
