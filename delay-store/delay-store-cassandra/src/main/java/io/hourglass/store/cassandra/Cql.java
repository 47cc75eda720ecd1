package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Statement;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The session, the prepared statements and how each kind is executed: reads and plain writes at
 * {@code consistency}; lightweight transactions with {@code serial-consistency} for their Paxos phase and
 * {@code consistency} for the commit; every statement bounded by {@code request-timeout}. Reads and writes that carry
 * their own timestamp are idempotent (the driver may retry them); lightweight transactions are not.
 */
final class Cql {

    private static final String MESSAGE_COLUMNS = "id, slot, app_key, topic, msg_key, payload, headers, deliver_at,"
            + " fire_at, repeat_interval_ms, state, attempts, created_at, updated_at, version, idem_key, claim_token,"
            + " claimed_at, last_error, request_hash, expires_at";
    /** What a change of state needs of a row: everything but the payload and the headers. */
    static final String META_COLUMNS = "id, slot, app_key, deliver_at, fire_at, state, attempts, updated_at, version,"
            + " idem_key, claim_token, claimed_at, last_error";

    final CqlSession session;
    private final ConsistencyLevel consistency;
    private final ConsistencyLevel serial;
    private final Duration timeout;

    // message: the source of truth
    final PreparedStatement insertMessage;
    final PreparedStatement selectMessage;
    final PreparedStatement selectMeta;
    final PreparedStatement selectExists;
    final PreparedStatement updateMessage;
    final PreparedStatement deleteMessage;
    // message_due and message_due_bucket: the due index
    final PreparedStatement insertDue;
    final PreparedStatement deleteDue;
    final PreparedStatement scanDueFrom;
    final PreparedStatement scanDueAfter;
    final PreparedStatement selectDueBucket;
    final PreparedStatement selectDueBuckets;
    final PreparedStatement insertDueBucket;
    final PreparedStatement insertDueBucketIfAbsent;
    final PreparedStatement deleteDueBucketIfExists;
    // message_by_state
    final PreparedStatement insertState;
    final PreparedStatement deleteState;
    final PreparedStatement deleteStatesUpTo;
    final PreparedStatement selectStates;
    final PreparedStatement selectStatesBefore;
    final PreparedStatement countState;
    final PreparedStatement countStates;
    // message_idem
    final PreparedStatement insertIdemIfAbsent;
    final PreparedStatement takeOverIdem;
    final PreparedStatement deleteIdem;
    final PreparedStatement selectIdem;
    final PreparedStatement searchStates;
    final PreparedStatement selectSearchMeta;
    final PreparedStatement countStateOfApp;
    // app, app_topic
    final PreparedStatement selectApp;
    final PreparedStatement selectApps;
    final PreparedStatement insertAppIfAbsent;
    final PreparedStatement updateAppIfVersion;
    final PreparedStatement updateAppIfNoVersion;
    final PreparedStatement selectTopics;
    final PreparedStatement selectAllTopics;
    final PreparedStatement insertTopicIfAbsent;
    final PreparedStatement deleteTopicIfExists;
    // admin_user, admin_audit, admin_audit_by_target
    final PreparedStatement selectUser;
    final PreparedStatement selectUsers;
    final PreparedStatement insertUserIfAbsent;
    final PreparedStatement updateUserIfVersion;
    final PreparedStatement deleteUserIfExists;
    final PreparedStatement insertAudit;
    final PreparedStatement insertAuditByTarget;
    final PreparedStatement selectAudit;
    final PreparedStatement selectAuditOfTarget;
    final PreparedStatement addAppStat;
    final PreparedStatement selectAppStats;
    final PreparedStatement selectAllAppStats;
    final PreparedStatement insertNodeSnapshot;
    final PreparedStatement selectNodeSnapshots;
    final PreparedStatement countNodeSnapshotsBefore;
    final PreparedStatement deleteNodeSnapshotsBefore;
    final PreparedStatement selectSetting;
    final PreparedStatement upsertSetting;
    final PreparedStatement deleteSetting;
    final PreparedStatement selectSettingsFrom;

    Cql(CqlSession session, CassandraStoreProperties p) {
        this.session = session;
        this.consistency = p.consistency();
        this.serial = p.serialConsistency();
        this.timeout = p.requestTimeout();
        String ks = p.keyspace() + ".";

        // Rows are inserted with timestamp 1, below any Paxos ballot: every later lightweight transaction on the row
        // writes cells that win, whatever the clocks of the client and the coordinator say (see docs/stores.md).
        insertMessage = prepare("INSERT INTO " + ks + "message (" + MESSAGE_COLUMNS + ") VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP 1");
        selectMessage = prepare("SELECT " + MESSAGE_COLUMNS + " FROM " + ks + "message WHERE id = ?");
        selectMeta = prepare("SELECT " + META_COLUMNS + " FROM " + ks + "message WHERE id = ?");
        selectExists = prepare("SELECT id FROM " + ks + "message WHERE id = ?");
        updateMessage = prepare("UPDATE " + ks + "message SET state = ?, deliver_at = ?, fire_at = ?, attempts = ?,"
                + " claim_token = ?, claimed_at = ?, last_error = ?, version = ?, updated_at = ? WHERE id = ?"
                + " IF version = ?");
        deleteMessage = prepare("DELETE FROM " + ks + "message WHERE id = ? IF version = ?");

        insertDue = prepare("INSERT INTO " + ks + "message_due (slot, bucket, fire_at, id, written_at)"
                + " VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?");
        deleteDue = prepare("DELETE FROM " + ks + "message_due USING TIMESTAMP ?"
                + " WHERE slot = ? AND bucket = ? AND fire_at = ? AND id = ?");
        scanDueFrom = prepare("SELECT fire_at, id, written_at FROM " + ks + "message_due WHERE slot = ? AND bucket = ?"
                + " AND (fire_at, id) >= (?, ?) AND (fire_at, id) < (?, ?) LIMIT ?");
        scanDueAfter = prepare("SELECT fire_at, id, written_at FROM " + ks + "message_due WHERE slot = ? AND bucket = ?"
                + " AND (fire_at, id) > (?, ?) AND (fire_at, id) < (?, ?) LIMIT ?");
        selectDueBucket = prepare("SELECT bucket FROM " + ks + "message_due_bucket WHERE slot = ? AND bucket = ?");
        selectDueBuckets = prepare("SELECT bucket FROM " + ks + "message_due_bucket"
                + " WHERE slot = ? AND bucket >= ? AND bucket <= ?");
        insertDueBucket = prepare("INSERT INTO " + ks + "message_due_bucket (slot, bucket) VALUES (?, ?)");
        insertDueBucketIfAbsent = prepare("INSERT INTO " + ks + "message_due_bucket (slot, bucket) VALUES (?, ?)"
                + " IF NOT EXISTS");
        deleteDueBucketIfExists = prepare("DELETE FROM " + ks + "message_due_bucket WHERE slot = ? AND bucket = ?"
                + " IF EXISTS");

        insertState = prepare("INSERT INTO " + ks + "message_by_state (slot, state, updated_at, id, claimed_at,"
                + " app_key) VALUES (?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        deleteState = prepare("DELETE FROM " + ks + "message_by_state USING TIMESTAMP ?"
                + " WHERE slot = ? AND state = ? AND updated_at = ? AND id = ?");
        deleteStatesUpTo = prepare("DELETE FROM " + ks + "message_by_state USING TIMESTAMP ?"
                + " WHERE slot = ? AND state = ? AND (updated_at, id) <= (?, ?)");
        selectStates = prepare("SELECT updated_at, id, claimed_at FROM " + ks + "message_by_state"
                + " WHERE slot = ? AND state = ?");
        selectStatesBefore = prepare("SELECT updated_at, id FROM " + ks + "message_by_state"
                + " WHERE slot = ? AND state = ? AND updated_at < ? LIMIT ?");
        countState = prepare("SELECT COUNT(*) FROM " + ks + "message_by_state WHERE slot = ? AND state = ?");
        countStates = prepare("SELECT slot, state, COUNT(*) FROM " + ks + "message_by_state GROUP BY slot, state");
        searchStates = prepare("SELECT updated_at, id, app_key FROM " + ks + "message_by_state"
                + " WHERE slot = ? AND state = ? AND (updated_at, id) > (?, ?) LIMIT ?");
        selectSearchMeta = prepare("SELECT id, slot, app_key, topic, msg_key, deliver_at, state, updated_at FROM " + ks
                + "message WHERE id = ?");
        // filtering inside one partition: the server reads the partition, nothing but the count comes back
        countStateOfApp = prepare("SELECT COUNT(*) FROM " + ks + "message_by_state"
                + " WHERE slot = ? AND state = ? AND app_key = ? ALLOW FILTERING");

        insertIdemIfAbsent = prepare("INSERT INTO " + ks + "message_idem (app_key, idem_key, id, created_at)"
                + " VALUES (?, ?, ?, ?) IF NOT EXISTS");
        takeOverIdem = prepare("UPDATE " + ks + "message_idem SET id = ?, created_at = ?"
                + " WHERE app_key = ? AND idem_key = ? IF id = ?");
        deleteIdem = prepare("DELETE FROM " + ks + "message_idem WHERE app_key = ? AND idem_key = ? IF id = ?");
        selectIdem = prepare("SELECT id FROM " + ks + "message_idem WHERE app_key = ? AND idem_key = ?");

        String appColumns = "app_key, " + String.join(", ", CassandraSchema.APP_COLUMNS.keySet());
        String appValues = "?" + ", ?".repeat(CassandraSchema.APP_COLUMNS.size());
        selectApp = prepare("SELECT " + appColumns + " FROM " + ks + "app WHERE app_key = ?");
        selectApps = prepare("SELECT " + appColumns + " FROM " + ks + "app");
        insertAppIfAbsent = prepare("INSERT INTO " + ks + "app (" + appColumns + ") VALUES (" + appValues + ")"
                + " IF NOT EXISTS");
        String appChange = "UPDATE " + ks + "app SET name = ?, owner = ?, description = ?, enabled = ?,"
                + " submits_per_second = ?, max_pending = ?, max_payload_bytes = ?, min_repeat_interval_ms = ?,"
                + " secret_hash = ?, salt = ?, secret_valid_until = ?, prev_secret_hash = ?, prev_salt = ?,"
                + " prev_secret_valid_until = ?, updated_at = ?, version = ? WHERE app_key = ?";
        updateAppIfVersion = prepare(appChange + " IF version = ?");
        // An app saved by an earlier version has no version yet: its first update is conditional on that, and on the
        // created_at just read (never null in such a row, so a missing row does not match "version = null").
        updateAppIfNoVersion = prepare(appChange + " IF version = null AND created_at = ?");
        selectTopics = prepare("SELECT topic FROM " + ks + "app_topic WHERE app_key = ?");
        selectAllTopics = prepare("SELECT app_key, topic FROM " + ks + "app_topic");
        insertTopicIfAbsent = prepare("INSERT INTO " + ks + "app_topic (app_key, topic, created_at) VALUES (?, ?, ?)"
                + " IF NOT EXISTS");
        deleteTopicIfExists = prepare("DELETE FROM " + ks + "app_topic WHERE app_key = ? AND topic = ? IF EXISTS");

        String userColumns = "username, password_hash, role, enabled, created_at, updated_at, version";
        selectUser = prepare("SELECT " + userColumns + " FROM " + ks + "admin_user WHERE username = ?");
        selectUsers = prepare("SELECT " + userColumns + " FROM " + ks + "admin_user");
        insertUserIfAbsent = prepare("INSERT INTO " + ks + "admin_user (" + userColumns + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
        updateUserIfVersion = prepare("UPDATE " + ks + "admin_user SET password_hash = ?, role = ?, enabled = ?,"
                + " updated_at = ?, version = ? WHERE username = ? IF version = ?");
        deleteUserIfExists = prepare("DELETE FROM " + ks + "admin_user WHERE username = ? IF EXISTS");
        insertAudit = prepare("INSERT INTO " + ks + "admin_audit (bucket, id, created_at, actor, action, target,"
                + " before_state, after_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insertAuditByTarget = prepare("INSERT INTO " + ks + "admin_audit_by_target (target, id, created_at, actor,"
                + " action, before_state, after_state) VALUES (?, ?, ?, ?, ?, ?, ?)");
        selectAudit = prepare("SELECT id, created_at, actor, action, target, before_state, after_state FROM " + ks
                + "admin_audit WHERE bucket = ? AND id < ? LIMIT ?");
        selectAuditOfTarget = prepare("SELECT id, created_at, actor, action, target, before_state, after_state FROM "
                + ks + "admin_audit_by_target WHERE target = ? AND id < ? LIMIT ?");
        addAppStat = prepare("UPDATE " + ks + "app_stat SET submitted = submitted + ?, fired = fired + ?,"
                + " dead = dead + ? WHERE app_key = ? AND bucket_start = ?");
        String statColumns = "app_key, bucket_start, submitted, fired, dead";
        selectAppStats = prepare("SELECT " + statColumns + " FROM " + ks + "app_stat"
                + " WHERE app_key = ? AND bucket_start >= ? AND bucket_start < ?");
        // every app: a scan of the (small) table, filtered by the server
        selectAllAppStats = prepare("SELECT " + statColumns + " FROM " + ks + "app_stat"
                + " WHERE bucket_start >= ? AND bucket_start < ? ALLOW FILTERING");
        String snapshotColumns = "taken_at, node_id, address, server_version, started_at, owned_slots, in_memory,"
                + " heap_used, heap_max";
        insertNodeSnapshot = prepare("INSERT INTO " + ks + "node_snapshot (bucket, " + snapshotColumns + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        selectNodeSnapshots = prepare("SELECT " + snapshotColumns + " FROM " + ks + "node_snapshot"
                + " WHERE bucket = ? AND taken_at >= ?");
        countNodeSnapshotsBefore = prepare("SELECT COUNT(*) FROM " + ks + "node_snapshot"
                + " WHERE bucket = ? AND taken_at < ?");
        deleteNodeSnapshotsBefore = prepare("DELETE FROM " + ks + "node_snapshot WHERE bucket = ? AND taken_at < ?");
        selectSetting = prepare("SELECT name, value, updated_at FROM " + ks + "setting WHERE bucket = 0 AND name = ?");
        upsertSetting = prepare("INSERT INTO " + ks + "setting (bucket, name, value, updated_at) VALUES (0, ?, ?, ?)");
        // a plain delete (not IF EXISTS): the row is written without Paxos, and mixing the two on a row is unsafe
        deleteSetting = prepare("DELETE FROM " + ks + "setting WHERE bucket = 0 AND name = ?");
        selectSettingsFrom = prepare("SELECT name, value, updated_at FROM " + ks + "setting"
                + " WHERE bucket = 0 AND name >= ? LIMIT ?");
    }

    private PreparedStatement prepare(String cql) {
        return session.prepare(cql);
    }

    /** A read or a write that may be retried: at {@code consistency}. */
    BoundStatement plain(PreparedStatement ps, Object... values) {
        return ps.bind(values).setConsistencyLevel(consistency).setTimeout(timeout).setIdempotent(true);
    }

    /** A lightweight transaction: Paxos at {@code serial-consistency}, commit at {@code consistency}; never retried. */
    BoundStatement lwt(PreparedStatement ps, Object... values) {
        return ps.bind(values).setConsistencyLevel(consistency).setSerialConsistencyLevel(serial).setTimeout(timeout)
                .setIdempotent(false);
    }

    /** A counter update: at {@code consistency}, never retried by the driver (an increment is not idempotent). */
    BoundStatement counter(PreparedStatement ps, Object... values) {
        return ps.bind(values).setConsistencyLevel(consistency).setTimeout(timeout).setIdempotent(false);
    }

    /** A read at {@code serial-consistency}: sees (and completes) any lightweight transaction in progress. */
    BoundStatement serialRead(PreparedStatement ps, Object... values) {
        return ps.bind(values).setConsistencyLevel(serial).setTimeout(timeout).setIdempotent(true);
    }

    /** Plain writes to several partitions that must all happen (the batch log replays them after a failure). */
    BatchStatement logged(List<BatchableStatement<?>> statements) {
        return BatchStatement.newInstance(DefaultBatchType.LOGGED, statements).setConsistencyLevel(consistency)
                .setTimeout(timeout).setIdempotent(true);
    }

    /** Plain writes to one partition as one unlogged batch (one mutation on each replica). */
    BatchStatement batch(List<BatchableStatement<?>> statements) {
        return BatchStatement.newInstance(DefaultBatchType.UNLOGGED, statements).setConsistencyLevel(consistency)
                .setTimeout(timeout).setIdempotent(true);
    }

    CompletableFuture<AsyncResultSet> async(Statement<?> statement) {
        return session.executeAsync(statement).toCompletableFuture();
    }

    ResultSet sync(Statement<?> statement) {
        return session.execute(statement);
    }
}
