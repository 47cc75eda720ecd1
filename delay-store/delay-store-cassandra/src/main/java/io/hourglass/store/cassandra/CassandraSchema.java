package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;

import java.time.Duration;
import java.util.List;

/**
 * The store's keyspace and tables, created at start with {@code IF NOT EXISTS} (nothing to run by hand). See
 * docs/stores.md (Cassandra) for why each table and key is as it is.
 *
 * <ul>
 *   <li>{@code message}: one partition per id, the source of truth. Every change of state is a lightweight transaction
 *       on it ({@code IF version = ?}).</li>
 *   <li>{@code message_due}: the due index, partition (slot, bucket = fire_at / bucket size), clustered by
 *       (fire_at, id): the preloader's keyset paging reads it in order. A hint: checked against {@code message}.</li>
 *   <li>{@code message_due_bucket}: the buckets of a slot that may hold entries, so that a scan from 0 (the sweeper)
 *       reads only those rather than every bucket since 1970.</li>
 *   <li>{@code message_by_state}: partition (slot, state) clustered by (updated_at, id): counts, stuck FIRING
 *       claims, and the finished messages to purge, oldest first (a purge then deletes the hints it went through as
 *       one range, so the next purge does not read their tombstones). A hint too.</li>
 *   <li>{@code message_idem}: one partition per (app_key, idem_key): the idempotency key's uniqueness, by
 *       {@code INSERT ... IF NOT EXISTS}.</li>
 *   <li>{@code app}, {@code app_topic}: the AppStore.</li>
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
                        + " claim_token bigint, claimed_at bigint, last_error text)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_due ("
                        + "slot int, bucket bigint, fire_at bigint, id bigint, written_at bigint,"
                        + " PRIMARY KEY ((slot, bucket), fire_at, id)) WITH gc_grace_seconds = 3600",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_due_bucket ("
                        + "slot int, bucket bigint, PRIMARY KEY ((slot), bucket)) WITH gc_grace_seconds = 3600",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_by_state ("
                        + "slot int, state text, updated_at bigint, id bigint, claimed_at bigint,"
                        + " PRIMARY KEY ((slot, state), updated_at, id)) WITH gc_grace_seconds = 3600",
                "CREATE TABLE IF NOT EXISTS " + ks + ".message_idem ("
                        + "app_key text, idem_key text, id bigint, created_at bigint,"
                        + " PRIMARY KEY ((app_key, idem_key)))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".app ("
                        + "app_key text PRIMARY KEY, secret_hash text, salt text, enabled boolean, created_at bigint)",
                "CREATE TABLE IF NOT EXISTS " + ks + ".app_topic ("
                        + "app_key text, topic text, created_at bigint, PRIMARY KEY ((app_key), topic))",
                "CREATE TABLE IF NOT EXISTS " + ks + ".store_meta (name text PRIMARY KEY, value text)");
        for (String statement : ddl) {
            session.execute(SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT));
        }
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
