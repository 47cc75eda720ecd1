package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.CASWriteUnknownException;
import com.datastax.oss.driver.api.core.servererrors.DefaultWriteType;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import io.hourglass.store.cassandra.MessageRows.Current;
import io.hourglass.store.cassandra.MessageRows.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

import static io.hourglass.store.cassandra.MessageRows.GONE_TIMESTAMP;
import static io.hourglass.store.cassandra.MessageRows.hintTimestamp;

/**
 * Conditional changes of one message row each, and of the hints that describe it: the engine under every change of
 * state of {@link CassandraMessageStore} (a {@link Change} says which rows it applies to and what it makes of them).
 *
 * <p>One change of the row read at version {@code v}, to version {@code v + 1}:
 * <ol>
 *   <li>read the row; stop if it is gone or the change does not apply to it;</li>
 *   <li>write the hints the changed row needs (its by-state row; its due entry when it becomes SCHEDULED), at
 *       {@code hintTimestamp(v + 1)};</li>
 *   <li>{@code UPDATE message ... IF version = v}, setting version {@code v + 1};</li>
 *   <li>won: delete the hints the change made wrong, at {@code hintTimestamp(v + 1)}. Lost: read the row again,
 *       delete the hints of step 2 that it does not need, and start again while the change still applies to it
 *       (at most {@link #MAX_ATTEMPTS} times).</li>
 * </ol>
 *
 * <p><b>Exactly one of two racing changes applies.</b> Every change bumps the version and every change is a
 * lightweight transaction conditioned on it, so of all changes read at {@code v}, Paxos applies one; the others see
 * {@code v + 1} or later. A transaction whose outcome is unknown (a CAS write timeout, a client timeout) is settled by
 * a read at the serial consistency, which completes a Paxos round in progress: the change was applied if the row is
 * now at {@code v + 1} with the change's state, time, token and fire time (a change that equal would have had the
 * same effect).
 *
 * <p><b>No hint is ever missing.</b> The hints a row needs are written before the transaction that makes it need them,
 * so a crash anywhere leaves extra hints, never a missing one; readers check every hint against the row and drop the
 * stale ones (see {@link DueIndex}). A hint write or delete is stamped with {@link MessageRows#hintTimestamp} of the
 * version it describes, not a clock, so the order of arrival does not matter: a delete made wrong by version {@code w}
 * cannot remove a hint written for a later version, whose timestamp is higher. The one tie is a lost change's clean-up
 * of step 2, at the timestamp of the version it reads, where a delete wins: it is made only for a hint that the row as
 * read does not need, and a later version that needs it writes it again, higher.
 */
final class StateChanges {

    private static final Logger log = LoggerFactory.getLogger(StateChanges.class);

    /** Retries of one change that lost a race but still applies to the row (it moved on under us, e.g. rescheduled). */
    static final int MAX_ATTEMPTS = 8;

    private final Cql cql;
    private final DueIndex due;
    private final int lanes;

    StateChanges(Cql cql, DueIndex due, int lanes) {
        this.cql = cql;
        this.due = due;
        this.lanes = lanes;
    }

    /** One conditional change of one message. */
    abstract static class Change {
        final long id;
        /** Read the whole row (payload, headers): the caller returns the changed message. */
        final boolean whole;

        Change(long id, boolean whole) {
            this.id = id;
            this.whole = whole;
        }

        /** The change to {@code target} of the rows where {@code applies} holds, retried after a lost race. */
        static Change of(long id, boolean whole, Predicate<Current> applies, Function<Current, Target> target) {
            return new Change(id, whole) {
                @Override
                boolean applies(Current c) {
                    return applies.test(c);
                }

                @Override
                Target target(Current c) {
                    return target.apply(c);
                }
            };
        }

        /** Whether the change applies to the row as it is. */
        abstract boolean applies(Current c);

        /** The row after the change (version and updated_at are added). */
        abstract Target target(Current c);

        /** After a lost race: try again while the change still applies to the row as it now is. */
        boolean retries() {
            return true;
        }

        /** Called when the row (null: none) does not qualify: cleans the hint that led here, if any. */
        CompletableFuture<Void> notApplicable(Current c) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** A change that was applied: the row before, the target and the new version. */
    record Applied(long id, Current before, Target target, long version, long now) {
        DelayMessage message() {
            return target.applyTo(before.full(), version, now);
        }
    }

    /** The change, applied or not (null), after as many attempts as it still applies. */
    CompletableFuture<Applied> apply(Change ch, long now) {
        return attempt(ch, now, 1);
    }

    /** One change per item, {@code lanes} in flight; in the order of {@code items}, null where none applied. */
    <T> List<Applied> applyEach(List<T> items, Function<T, Change> change, long now) {
        return Lanes.map(items, lanes, item -> apply(change.apply(item), now)).join();
    }

    /** The row's columns a change reads ({@code whole}: every column), or null when there is no row. */
    CompletableFuture<Current> readMeta(long id, boolean whole) {
        return cql.async(cql.plain(whole ? cql.selectMessage : cql.selectMeta, id)).thenApply(rs -> {
            Row r = rs.one();
            return r == null ? null : Current.of(r, whole);
        });
    }

    /** Hint maintenance that may fail: a failure is logged and left for the readers, who drop stale hints. */
    static CompletableFuture<Void> quietly(List<CompletableFuture<?>> work, String what, long id) {
        return CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            if (e != null) {
                log.debug("{} failed; left for the readers' clean-up [id={}]", what, id, e);
            }
            return null;
        });
    }

    private CompletableFuture<Applied> attempt(Change ch, long now, int attempt) {
        return readMeta(ch.id, ch.whole).thenCompose(c -> {
            if (c == null || !ch.applies(c)) {
                return ch.notApplicable(c).thenApply(v -> (Applied) null);
            }
            Target t = ch.target(c);
            long version = c.version() + 1;
            return hintsBefore(c, t, version, now)
                    .thenCompose(v -> transact(c, t, version, now))
                    .thenCompose(won -> {
                        if (won) {
                            return hintsAfter(c, t, version, now)
                                    .thenApply(v -> new Applied(ch.id, c, t, version, now));
                        }
                        return lost(ch, c, t, version, now, attempt);
                    });
        });
    }

    /** Hints the changed row needs, written before the change so that none is ever missing. */
    private CompletableFuture<Void> hintsBefore(Current c, Target t, long version, long now) {
        long ts = hintTimestamp(version);
        CompletableFuture<?> state = cql.async(cql.plain(cql.insertState, c.slot(), t.state().name(), now, c.id(),
                t.claimedAt(), c.appKey(), ts));
        if (t.state() != MessageState.SCHEDULED) {
            return state.thenApply(v -> null);
        }
        return CompletableFuture.allOf(state, due.add(c.slot(), t.fireAt(), c.id(), ts, now));
    }

    /** Hints the change made wrong, deleted after it; a failure leaves a stale hint that readers clean up. */
    private CompletableFuture<Void> hintsAfter(Current c, Target t, long version, long now) {
        long ts = hintTimestamp(version);
        List<CompletableFuture<?>> deletes = new ArrayList<>(2);
        if (c.state() == MessageState.SCHEDULED
                && !(t.state() == MessageState.SCHEDULED && t.fireAt() == c.fireAt())) {
            deletes.add(due.remove(c.slot(), c.fireAt(), c.id(), ts));
        }
        if (c.state() != t.state() || c.updatedAt() != now) {
            deletes.add(cql.async(cql.plain(cql.deleteState, ts, c.slot(), c.state().name(), c.updatedAt(), c.id())));
        }
        return quietly(deletes, "stale hints after a change", c.id());
    }

    /** The lightweight transaction; an unknown outcome is settled by a serial read. */
    private CompletableFuture<Boolean> transact(Current c, Target t, long version, long now) {
        var update = cql.lwt(cql.updateMessage, t.state().name(), t.deliverAt(), t.fireAt(), t.attempts(),
                t.claimToken(), t.claimedAt(), t.lastError(), version, now, c.id(), c.version());
        if (!t.setsError()) {
            update = update.unset(6); // last_error stays as it is
        }
        return cql.async(update).handle((rs, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(rs.wasApplied());
            }
            Throwable cause = StoreErrors.unwrap(e);
            boolean unknown = cause instanceof CASWriteUnknownException || cause instanceof DriverTimeoutException
                    || (cause instanceof WriteTimeoutException w && w.getWriteType() == DefaultWriteType.CAS);
            if (!unknown) {
                return CompletableFuture.<Boolean>failedFuture(cause);
            }
            return cql.async(cql.serialRead(cql.selectMeta, c.id())).thenApply(r -> {
                Row row = r.one();
                if (row == null) {
                    return false;
                }
                Current now2 = Current.of(row, false);
                return now2.version() == version && now2.state() == t.state() && now2.updatedAt() == now
                        && now2.claimToken() == t.claimToken() && now2.fireAt() == t.fireAt();
            });
        }).thenCompose(f -> f);
    }

    /** After a lost race: clean the hints written for nothing, then retry while the change still applies. */
    private CompletableFuture<Applied> lost(Change ch, Current before, Target t, long version, long now, int attempt) {
        return readMeta(ch.id, false).thenCompose(c -> {
            long ts = c == null ? GONE_TIMESTAMP : hintTimestamp(c.version());
            List<CompletableFuture<?>> cleanups = new ArrayList<>(2);
            if (t.state() == MessageState.SCHEDULED
                    && !(c != null && c.state() == MessageState.SCHEDULED && c.fireAt() == t.fireAt())) {
                cleanups.add(due.remove(before.slot(), t.fireAt(), ch.id, ts));
            }
            if (c == null || c.state() != t.state() || c.updatedAt() != now) {
                cleanups.add(cql.async(cql.plain(cql.deleteState, ts, before.slot(), t.state().name(), now, ch.id)));
            }
            return quietly(cleanups, "hints of a lost change", ch.id).thenCompose(v -> {
                if (c != null && ch.retries() && ch.applies(c) && attempt < MAX_ATTEMPTS) {
                    return attempt(ch, now, attempt + 1);
                }
                return CompletableFuture.completedFuture(null);
            });
        });
    }
}
