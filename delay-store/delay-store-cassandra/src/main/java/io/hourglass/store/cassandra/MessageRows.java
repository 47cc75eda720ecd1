package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;

/** Between {@link DelayMessage} and the {@code message} table. */
final class MessageRows {

    /**
     * The timestamp of hint writes (due index, by-state index) that describe a message at {@code version}, and of
     * deletes of hints made wrong by the change to {@code version}. Ordered by the message's version instead of by
     * clocks, a hint and its delete can arrive in any order and the newer version still wins (a delete wins a tie).
     */
    static long hintTimestamp(long version) {
        return version + 1;
    }

    /** Timestamp of deletes of hints whose message is gone for good (purged, or an insert that never finished). */
    static final long GONE_TIMESTAMP = Long.MAX_VALUE / 2;

    private MessageRows() {
    }

    static Object[] insertValues(DelayMessage m) {
        return new Object[] {m.id(), m.slot(), m.appKey(), m.topic(), m.key(), m.payload(),
                HeadersJson.encode(m.headers()), m.deliverAt(), m.fireAt(), m.repeatIntervalMs(), m.state().name(),
                m.attempts(), m.createdAt(), m.updatedAt(), m.version(), m.idempotencyKey(), m.claimToken(),
                m.claimedAt(), m.lastError(), m.requestHash(), m.expiresAt()};
    }

    /** A whole row (every column of the message table) as a message. */
    static DelayMessage toMessage(Row r) {
        return new DelayMessage(r.getLong("id"), r.getString("app_key"), r.getString("topic"),
                r.getString("msg_key"), r.getString("payload"), HeadersJson.decode(r.getString("headers")),
                r.getLong("deliver_at"), r.getLong("fire_at"),
                r.isNull("repeat_interval_ms") ? null : r.getLong("repeat_interval_ms"),
                MessageState.valueOf(r.getString("state")), r.getInt("attempts"), r.getLong("created_at"),
                r.getLong("updated_at"), r.getInt("slot"), r.getLong("version"), r.getString("idem_key"),
                r.getLong("claim_token"), r.getLong("claimed_at"), r.getString("last_error"),
                r.getString("request_hash"), r.isNull("expires_at") ? 0L : r.getLong("expires_at"));
    }

    /** What a change of state reads of a row (no payload, no headers); {@code full} when the caller needs those. */
    record Current(long id, int slot, String appKey, long deliverAt, long fireAt, MessageState state, int attempts,
                   long updatedAt, long version, String idemKey, long claimToken, long claimedAt, String lastError,
                   DelayMessage full) {

        static Current of(Row r, boolean whole) {
            return new Current(r.getLong("id"), r.getInt("slot"), r.getString("app_key"), r.getLong("deliver_at"),
                    r.getLong("fire_at"), MessageState.valueOf(r.getString("state")), r.getInt("attempts"),
                    r.getLong("updated_at"), r.getLong("version"), r.getString("idem_key"), r.getLong("claim_token"),
                    r.getLong("claimed_at"), r.getString("last_error"), whole ? toMessage(r) : null);
        }
    }

    /** The row after a change: new state and times, version + 1. */
    record Target(MessageState state, long deliverAt, long fireAt, int attempts, long claimToken, long claimedAt,
                  boolean setsError, String lastError) {

        static Target of(Current c, MessageState state) {
            return new Target(state, c.deliverAt(), c.fireAt(), c.attempts(), c.claimToken(), c.claimedAt(), false,
                    null);
        }

        Target withTimes(long newDeliverAt, long newFireAt) {
            return new Target(state, newDeliverAt, newFireAt, attempts, claimToken, claimedAt, setsError, lastError);
        }

        Target withAttempts(int n) {
            return new Target(state, deliverAt, fireAt, n, claimToken, claimedAt, setsError, lastError);
        }

        Target withClaim(long token, long at) {
            return new Target(state, deliverAt, fireAt, attempts, token, at, setsError, lastError);
        }

        Target withError(String error) {
            return new Target(state, deliverAt, fireAt, attempts, claimToken, claimedAt, true, error);
        }

        /** The message as this change leaves it ({@code before} must be a full read). */
        DelayMessage applyTo(DelayMessage before, long newVersion, long now) {
            return new DelayMessage(before.id(), before.appKey(), before.topic(), before.key(), before.payload(),
                    before.headers(), deliverAt, fireAt, before.repeatIntervalMs(), state, attempts,
                    before.createdAt(), now, before.slot(), newVersion, before.idempotencyKey(), claimToken,
                    claimedAt, setsError ? lastError : before.lastError(), before.requestHash(), before.expiresAt());
        }
    }
}
