package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.model.AppSecret;
import io.hourglass.core.spi.AppStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@link AppStore} on Cassandra: tables {@code app} (one partition per app) and {@code app_topic} (an app's topics in
 * one partition). Every write is a lightweight transaction: {@code createApp} is {@code INSERT ... IF NOT EXISTS},
 * {@code updateApp} {@code UPDATE ... IF version = v - 1}, topics {@code IF NOT EXISTS} / {@code IF EXISTS}. These are
 * admin operations, rare, so Paxos costs nothing that matters, and all writes of a row being LWTs keeps their
 * timestamps ordered.
 *
 * <p>Listings read the whole table and sort in memory: apps and topics are few (hundreds, not millions), and a
 * partition per app hashes keys in token order, not key order. So {@code listApps} is O(apps) per page and
 * {@code topicGrants} O(app-topic pairs).
 *
 * <p>Apps saved by an earlier version of the store (before quotas and versions) have nulls in the newer columns: they
 * read as the defaults (name = key, no quotas, a secret without end, version 0), and their first update is
 * conditional on the version being still unset.
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
    public boolean createApp(App app) {
        return call("createApp", () -> {
            Object[] values = new Object[CassandraSchema.APP_COLUMNS.size() + 1];
            values[0] = app.appKey();
            Object[] change = changeValues(app);
            // APP_COLUMNS order: the change's columns, with created_at before updated_at and version
            System.arraycopy(change, 0, values, 1, 14);
            values[15] = app.createdAt();
            values[16] = app.updatedAt();
            values[17] = app.version();
            return cql.sync(cql.lwt(cql.insertAppIfAbsent, values)).wasApplied();
        });
    }

    @Override
    public boolean updateApp(App app) {
        return call("updateApp", () -> {
            Object[] change = changeValues(app);
            Object[] values = new Object[change.length + 4];
            System.arraycopy(change, 0, values, 0, change.length);
            values[change.length] = app.updatedAt();
            values[change.length + 1] = app.version();
            values[change.length + 2] = app.appKey();
            values[change.length + 3] = app.version() - 1;
            ResultSet rs = cql.sync(cql.lwt(cql.updateAppIfVersion, values));
            if (rs.wasApplied()) {
                return true;
            }
            if (app.version() != 1) {
                return false;
            }
            Row legacy = cql.sync(cql.serialRead(cql.selectApp, app.appKey())).one();
            if (legacy == null || !legacy.isNull("version") || legacy.isNull("created_at")) {
                return false;
            }
            Object[] first = new Object[values.length];
            System.arraycopy(values, 0, first, 0, values.length - 1);
            first[values.length - 1] = legacy.getLong("created_at");
            return cql.sync(cql.lwt(cql.updateAppIfNoVersion, first)).wasApplied();
        });
    }

    @Override
    public List<App> listApps(String afterAppKey, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        String after = afterAppKey == null || afterAppKey.isEmpty() ? null : afterAppKey;
        return call("listApps", () -> {
            List<App> apps = new ArrayList<>();
            for (Row r : cql.sync(cql.plain(cql.selectApps))) {
                String key = r.getString("app_key");
                if (after == null || key.compareTo(after) > 0) {
                    apps.add(toApp(r));
                }
            }
            apps.sort(Comparator.comparing(App::appKey));
            return List.copyOf(apps.subList(0, Math.min(limit, apps.size())));
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

    @Override
    public boolean removeTopic(String appKey, String topic) {
        return call("removeTopic", () -> cql.sync(cql.lwt(cql.deleteTopicIfExists, appKey, topic)).wasApplied());
    }

    @Override
    public Map<String, Set<String>> topicGrants() {
        return call("topicGrants", () -> {
            Map<String, Set<String>> grants = new TreeMap<>();
            for (Row r : cql.sync(cql.plain(cql.selectAllTopics))) {
                grants.computeIfAbsent(r.getString("topic"), t -> new TreeSet<>()).add(r.getString("app_key"));
            }
            return grants;
        });
    }

    /** Values of every changeable column, in the order of {@code Cql.updateApp*} (name .. prev_secret_valid_until). */
    private static Object[] changeValues(App app) {
        AppQuotas q = app.quotas();
        AppSecret prev = app.previousSecret();
        return new Object[] {app.name(), app.owner(), app.description(), app.enabled(), q.submitsPerSecond(),
                q.maxPending(), q.maxPayloadBytes(), q.minRepeatIntervalMs(), app.secret().hash(), app.secret().salt(),
                app.secret().validUntil(), prev == null ? null : prev.hash(), prev == null ? null : prev.salt(),
                prev == null ? null : prev.validUntil()};
    }

    private static App toApp(Row r) {
        String key = r.getString("app_key");
        long createdAt = longOr(r, "created_at", 0);
        AppSecret previous = r.isNull("prev_secret_hash") || r.isNull("prev_salt") ? null
                : new AppSecret(r.getString("prev_secret_hash"), r.getString("prev_salt"),
                longOr(r, "prev_secret_valid_until", 0));
        return new App(key, r.getString("name"), r.getString("owner"), r.getString("description"),
                !r.isNull("enabled") && r.getBoolean("enabled"),
                new AppQuotas(longOr(r, "submits_per_second", 0), longOr(r, "max_pending", 0),
                        r.isNull("max_payload_bytes") ? 0 : r.getInt("max_payload_bytes"),
                        longOr(r, "min_repeat_interval_ms", 0)),
                new AppSecret(r.getString("secret_hash"), r.getString("salt"),
                        longOr(r, "secret_valid_until", Long.MAX_VALUE)),
                previous, createdAt, longOr(r, "updated_at", createdAt), longOr(r, "version", 0));
    }

    private static long longOr(Row r, String column, long otherwise) {
        return r.isNull(column) ? otherwise : r.getLong(column);
    }

    private static <T> T call(String action, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(action, e);
        }
    }
}
