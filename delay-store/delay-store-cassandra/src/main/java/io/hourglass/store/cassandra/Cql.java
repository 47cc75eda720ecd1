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
            + " claimed_at, last_error";
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
    // app, app_topic
    final PreparedStatement selectApp;
    final PreparedStatement insertApp;
    final PreparedStatement selectTopics;
    final PreparedStatement insertTopicIfAbsent;

    Cql(CqlSession session, CassandraStoreProperties p) {
        this.session = session;
        this.consistency = p.consistency();
        this.serial = p.serialConsistency();
        this.timeout = p.requestTimeout();
        String ks = p.keyspace() + ".";

        // Rows are inserted with timestamp 1, below any Paxos ballot: every later lightweight transaction on the row
        // writes cells that win, whatever the clocks of the client and the coordinator say (see docs/stores.md).
        insertMessage = prepare("INSERT INTO " + ks + "message (" + MESSAGE_COLUMNS + ") VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP 1");
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

        insertState = prepare("INSERT INTO " + ks + "message_by_state (slot, state, updated_at, id, claimed_at)"
                + " VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?");
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

        insertIdemIfAbsent = prepare("INSERT INTO " + ks + "message_idem (app_key, idem_key, id, created_at)"
                + " VALUES (?, ?, ?, ?) IF NOT EXISTS");
        takeOverIdem = prepare("UPDATE " + ks + "message_idem SET id = ?, created_at = ?"
                + " WHERE app_key = ? AND idem_key = ? IF id = ?");
        deleteIdem = prepare("DELETE FROM " + ks + "message_idem WHERE app_key = ? AND idem_key = ? IF id = ?");
        selectIdem = prepare("SELECT id FROM " + ks + "message_idem WHERE app_key = ? AND idem_key = ?");

        selectApp = prepare("SELECT app_key, secret_hash, salt, enabled, created_at FROM " + ks + "app"
                + " WHERE app_key = ?");
        insertApp = prepare("INSERT INTO " + ks + "app (app_key, secret_hash, salt, enabled, created_at)"
                + " VALUES (?, ?, ?, ?, ?)");
        selectTopics = prepare("SELECT topic FROM " + ks + "app_topic WHERE app_key = ?");
        insertTopicIfAbsent = prepare("INSERT INTO " + ks + "app_topic (app_key, topic, created_at) VALUES (?, ?, ?)"
                + " IF NOT EXISTS");
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

    /** A read at {@code serial-consistency}: sees (and completes) any lightweight transaction in progress. */
    BoundStatement serialRead(PreparedStatement ps, Object... values) {
        return ps.bind(values).setConsistencyLevel(serial).setTimeout(timeout).setIdempotent(true);
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
