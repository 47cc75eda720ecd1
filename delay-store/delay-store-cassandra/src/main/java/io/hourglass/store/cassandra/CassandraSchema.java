package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The store's keyspace and tables, created at start with {@code IF NOT EXISTS} (nothing to run by hand), and the
 * columns a keyspace of an earlier version lacks added ({@link #upgrade}). See docs/stores.md (Cassandra) for why
 * each table and key is as it is.
 *
 * <ul>
 *   <li>{@code message}: one partition per id, the source of truth. Every change of state is a lightweight transaction
 *       on it ({@code IF version = ?}).</li>
 *   <li>{@code message_due}: the due index, partition (slot, bucket = fire_at / bucket size), clustered by
 *       (fire_at, id): the preloader's keyset paging reads it in order. A hint: checked against {@code message}.</li>
 *   <li>{@code message_due_bucket}: the buckets of a slot that may hold entries, so that a scan from 0 (the sweeper)
 *       reads only those rather than every bucket since 1970.</li>
 *   <li>{@code message_by_state}: partition (slot, state) clustered by (updated_at, id), with the message's
 *       app_key: counts (also per app), stuck FIRING claims, the admin's search, and the finished messages to purge,
 *       oldest first (a purge then deletes the hints it went through as one range, so the next purge does not read
 *       their tombstones). A hint too.</li>
 *   <li>{@code message_idem}: one partition per (app_key, idem_key): the idempotency key's uniqueness, by
 *       {@code INSERT ... IF NOT EXISTS}.</li>
 *   <li>{@code app}, {@code app_topic}: the AppStore.</li>
 *   <li>{@code admin_user}, {@code admin_audit} (one partition, newest id first) and {@code admin_audit_by_target}
 *       (one partition per target, newest first), {@code app_stat} (counters, one partition per app, by bucket)
 *       and {@code node_snapshot} (one partition, by time): the AdminStore.</li>
 *   <li>{@code store_meta}: the bucket size the keyspace was made with.</li>
 * </ul>
 * The hint tables keep tombstones for an hour only ({@code gc_grace_seconds = 3600}): a hint that comes back after a
 * missed delete is checked against {@code message} like any stale hint and removed again.
 */
final class CassandraSchema {

    /** Schema statements wait for schema agreement across the cluster: give them longer than a query. */
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

    private CassandraSchema() {
    }

    /** Columns of {@code app}, beyond its key, with their types: what {@link #create} makes or adds. */
    static final Map<String, String> APP_COLUMNS = columns(
            "name text", "owner text", "description text", "enabled boolean",
            "submits_per_second bigint", "max_pending bigint", "max_payload_bytes int", "min_repeat_interval_ms bigint",
            "secret_hash text", "salt text", "secret_valid_until bigint",
            "prev_secret_hash text", "prev_salt text", "prev_secret_valid_until bigint",
            "created_at bigint", "updated_at bigint", "version bigint");

    static void create(CqlSession session, CassandraStoreProperties p) {
        String ks = p.keyspace();
        String dc = localDatacenter(session);
        List<String> ddl = List.of(
                "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = {'class': 'NetworkTopologyStrategy', '"
                        + dc + "': " + p.replicationFactor() + "}",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message ("
                        + "id bigint PRIMARY KEY, slot int, app_key text, topic text, msg_key text, payload text,"
                        + " headers text, deliver_at bigint, fire_at bigint, repeat_interval_ms bigint, state text,"
                        + " attempts int, created_at bigint, updated_at bigint, version bigint, idem_key text,"
                        + " claim_token bigint, claimed_at bigint, last_error text, request_hash text, expires_at bigint)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_due ("
                        + "slot int, bucket bigint, fire_at bigint, id bigint, written_at bigint,"
                        + " PRIMARY KEY ((slot, bucket), fire_at, id)) WITH gc_grace_seconds = 3600",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_due_bucket ("
                        + "slot int, bucket bigint, PRIMARY KEY ((slot), bucket)) WITH gc_grace_seconds = 3600",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_by_state ("
                        + "slot int, state text, updated_at bigint, id bigint, claimed_at bigint, app_key text,"
                        + " PRIMARY KEY ((slot, state), updated_at, id)) WITH gc_grace_seconds = 3600",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_idem ("
                        + "app_key text, idem_key text, id bigint, created_at bigint,"
                        + " PRIMARY KEY ((app_key, idem_key)))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".app (app_key text PRIMARY KEY, "
                        + String.join(", ", APP_COLUMNS.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).toList()) + ")",
                "CREATE TABLE IF NOT EXISTS " + ks + ".app_topic ("
                        + "app_key text, topic text, created_at bigint, PRIMARY KEY ((app_key), topic))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".admin_user ("
                        + "username text PRIMARY KEY, password_hash text, role text, enabled boolean,"
                        + " created_at bigint, updated_at bigint, version bigint)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".admin_audit ("
                        + "bucket int, id bigint, created_at bigint, actor text, action text, target text,"
                        + " before_state text, after_state text,"
                        + " PRIMARY KEY ((bucket), id)) WITH CLUSTERING ORDER BY (id DESC)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".admin_audit_by_target ("
                        + "target text, id bigint, created_at bigint, actor text, action text,"
                        + " before_state text, after_state text,"
                        + " PRIMARY KEY ((target), id)) WITH CLUSTERING ORDER BY (id DESC)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".app_stat ("
                        + "app_key text, bucket_start bigint, submitted counter, fired counter, dead counter,"
                        + " PRIMARY KEY ((app_key), bucket_start))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".node_snapshot ("
                        + "bucket int, taken_at bigint, node_id text, address text, server_version text,"
                        + " started_at bigint, owned_slots int, in_memory bigint, heap_used bigint, heap_max bigint,"
                        + " PRIMARY KEY ((bucket), taken_at, node_id))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".store_meta (name text PRIMARY KEY, value text)",
                // the admin API's settings: one small partition clustered by name, so that a prefix is a range
                "CREATE TABLE IF NOT EXISTS " + ks + ".setting ("
                        + "bucket int, name text, value text, updated_at bigint, PRIMARY KEY ((bucket), name))");
        for (String statement : ddl) {
            session.execute(SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT));
        }
        upgrade(session, ks);
    }

    /**
     * Brings tables made by an earlier version up to this one: adds the columns they lack ({@code CREATE TABLE IF NOT
     * EXISTS} leaves an existing table as it is). Idempotent, and safe when several servers start at once: only the
     * missing columns are added, and an "already exists" from a concurrent start is ignored. Rows of the earlier
     * version keep nulls in the new columns; the stores read those as the defaults (see {@link CassandraAppStore}).
     */
    static void upgrade(CqlSession session, String ks) {
        addMissingColumns(session, ks, "app", APP_COLUMNS);
        addMissingColumns(session, ks, "message_by_state", columns("app_key text"));
        addMissingColumns(session, ks, "message", columns("request_hash text", "expires_at bigint"));
    }

    private static void addMissingColumns(CqlSession session, String ks, String table, Map<String, String> wanted) {
        Set<String> present = new HashSet<>();
        for (Row r : session.execute(SimpleStatement.newInstance("SELECT column_name FROM system_schema.columns"
                + " WHERE keyspace_name = ? AND table_name = ?", ks, table).setTimeout(DDL_TIMEOUT))) {
            present.add(r.getString(0));
        }
        for (Map.Entry<String, String> column : wanted.entrySet()) {
            if (present.contains(column.getKey())) {
                continue;
            }
            try {
                session.execute(SimpleStatement.newInstance("ALTER TABLE " + ks + "." + table + " ADD "
                        + column.getKey() + " " + column.getValue()).setTimeout(DDL_TIMEOUT));
            } catch (InvalidQueryException e) {
                if (e.getMessage() == null || !e.getMessage().toLowerCase(Locale.ROOT).contains("already exist")) {
                    throw e;
                }
            }
        }
    }

    private static Map<String, String> columns(String... definitions) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (String d : definitions) {
            int space = d.indexOf(' ');
            columns.put(d.substring(0, space), d.substring(space + 1));
        }
        return columns;
    }

    /**
     * Records the bucket size on the keyspace's first start and refuses another one later: entries are found by
     * the bucket their fire_at falls in, so a new size would hide every entry written with the old one.
     */
    static void checkBucketSize(CqlSession session, CassandraStoreProperties p) {
        String value = Long.toString(p.bucketSize().toMillis());
        ResultSet rs = session.execute(SimpleStatement.newInstance("INSERT INTO " + p.keyspace()
                        + ".store_meta (name, value) VALUES ('bucket_size_ms', ?) IF NOT EXISTS", value)
                .setSerialConsistencyLevel(p.serialConsistency()).setConsistencyLevel(p.consistency())
                .setTimeout(p.requestTimeout()));
        if (rs.wasApplied()) {
            return;
        }
        Row row = rs.one();
        String recorded = row == null ? null : row.getString("value");
        if (!value.equals(recorded)) {
            throw new IllegalStateException("delay.store.cassandra.bucket-size is " + p.bucketSize()
                    + " but keyspace " + p.keyspace() + " was created with " + recorded + " ms: the due index cannot"
                    + " change its bucket size; set it back or use a new keyspace");
        }
    }

    /** The driver's local datacenter, or that of the first node it knows. */
    static String localDatacenter(CqlSession session) {
        String dc = session.getContext().getConfig().getDefaultProfile()
                .getString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, null);
        if (dc != null && !dc.isBlank()) {
            return dc;
        }
        for (Node node : session.getMetadata().getNodes().values()) {
            if (node.getDatacenter() != null) {
                return node.getDatacenter();
            }
        }
        throw new IllegalStateException("cannot tell the local datacenter: set spring.cassandra.local-datacenter");
    }
}
