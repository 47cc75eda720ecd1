package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.model.PendingCount;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.store.cassandra.MessageRows.Current;
import io.hourglass.store.cassandra.MessageRows.Target;
import io.hourglass.store.cassandra.StateChanges.Applied;
import io.hourglass.store.cassandra.StateChanges.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import static io.hourglass.core.spi.StoreArguments.keptError;
import static io.hourglass.core.spi.StoreArguments.sortedDistinct;
import static io.hourglass.store.cassandra.MessageRows.GONE_TIMESTAMP;
import static io.hourglass.store.cassandra.MessageRows.hintTimestamp;
import static io.hourglass.store.cassandra.StateChanges.MAX_ATTEMPTS;
import static io.hourglass.store.cassandra.StateChanges.quietly;

/**
 * {@link MessageStore} on Apache Cassandra (driver 4). The {@code message} table (one partition per id) is the truth;
 * the due index and the by-state index are hints that are written before a change makes them needed and checked
 * against the truth when read (see {@link DueIndex}, {@link CassandraSchema} and docs/stores.md).
 *
 * <p>This class says what each operation does to which rows; two helpers carry the parts whose correctness takes an
 * argument: {@link InsertSaga}, the all-or-none insert with idempotency keys, and {@link StateChanges}, the
 * conditional change of one row with its hints, under every change of state here (claim, the outcomes of firing,
 * cancel, reschedule, redrive, the release of stuck claims). Calls on many ids run one change per id,
 * {@code concurrency} in flight, and return what was applied: a lost race is a message not changed, not an error.
 * Every driver error leaves through {@link StoreErrors}.
 */
final class CassandraMessageStore implements MessageStore {

    private static final Logger log = LoggerFactory.getLogger(CassandraMessageStore.class);

    private static final Comparator<DelayMessage> FIRE_ORDER =
            Comparator.comparingLong(DelayMessage::fireAt).thenComparingLong(DelayMessage::id);

    private final Cql cql;
    private final DueIndex due;
    private final InsertSaga inserts;
    private final StateChanges changes;
    private final MessageSearch search;
    private final DelayClock clock;
    private final int lanes;

    CassandraMessageStore(Cql cql, CassandraStoreProperties properties, DelayClock clock) {
        this.cql = Objects.requireNonNull(cql, "cql");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.due = new DueIndex(cql, properties);
        this.inserts = new InsertSaga(cql, due, properties);
        this.changes = new StateChanges(cql, due, properties.concurrency());
        this.search = new MessageSearch(cql, properties.concurrency());
        this.lanes = properties.concurrency();
    }

    // ---------------------------------------------------------------- insert

    /** See {@link InsertSaga}: all or none, one message per idempotency key. */
    @Override
    public void insert(List<DelayMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        InsertSaga.checkDistinct(messages);
        call("insert", () -> {
            inserts.insert(messages, clock.now());
            return null;
        });
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<DelayMessage> get(long id) {
        return call("get", () -> Optional.ofNullable(cql.sync(cql.plain(cql.selectMessage, id)).one())
                .map(MessageRows::toMessage));
    }

    @Override
    public List<DelayMessage> findByIdempotencyKeys(String appKey, Collection<String> keys) {
        List<String> distinct = keys.stream().filter(Objects::nonNull).distinct().toList();
        if (distinct.isEmpty()) {
            return List.of();
        }
        return call("findByIdempotencyKeys", () -> {
            List<DelayMessage> found = Lanes.map(distinct, lanes, key ->
                    cql.async(cql.plain(cql.selectIdem, appKey, key)).thenCompose(rs -> {
                        Row r = rs.one();
                        if (r == null) {
                            return CompletableFuture.<DelayMessage>completedFuture(null);
                        }
                        return cql.async(cql.plain(cql.selectMessage, r.getLong("id"))).thenApply(m -> {
                            Row row = m.one();
                            DelayMessage message = row == null ? null : MessageRows.toMessage(row);
                            return message != null && appKey.equals(message.appKey())
                                    && key.equals(message.idempotencyKey()) ? message : null;
                        });
                    })).join();
            return found.stream().filter(Objects::nonNull).toList();
        });
    }

    @Override
    public List<DueEntry> scanScheduled(int slot, long fromFireAt, long toFireAt, long afterFireAt, long afterId,
                                        int limit) {
        if (limit <= 0 || fromFireAt >= toFireAt) {
            return List.of();
        }
        return call("scanScheduled", () -> due.scan(slot, fromFireAt, toFireAt, afterFireAt, afterId, limit,
                clock.now()));
    }

    // ---------------------------------------------------------------- changes of state

    @Override
    public List<DelayMessage> claim(Collection<Long> ids, long now, long claimToken) {
        List<Long> sorted = sortedDistinct(ids);
        if (sorted.isEmpty()) {
            return List.of();
        }
        return call("claim", () -> {
            List<Applied> applied = changes.applyEach(sorted, id -> Change.of(id, true,
                    c -> c.state() == MessageState.SCHEDULED && c.fireAt() <= now,
                    c -> Target.of(c, MessageState.FIRING).withClaim(claimToken, now).withAttempts(c.attempts() + 1)),
                    now);
            List<DelayMessage> claimed = new ArrayList<>();
            for (Applied a : applied) {
                if (a != null) {
                    claimed.add(a.message());
                }
            }
            claimed.sort(FIRE_ORDER);
            return claimed;
        });
    }

    @Override
    public int markDelivered(Collection<Long> ids, long claimToken, long now) {
        return count("markDelivered", sortedDistinct(ids),
                id -> whileHeld(id, claimToken, c -> Target.of(c, MessageState.DELIVERED)), now);
    }

    @Override
    public int rearm(List<Rearm> rearms, long claimToken, long now) {
        Map<Long, Long> byId = new LinkedHashMap<>();
        rearms.forEach(r -> byId.put(r.id(), r.deliverAt()));
        return count("rearm", new ArrayList<>(byId.keySet()), id -> whileHeld(id, claimToken, c -> {
            long at = byId.get(id);
            return Target.of(c, MessageState.SCHEDULED).withTimes(at, at).withAttempts(0).withError(null);
        }), now);
    }

    @Override
    public int retryLater(List<Retry> retries, long claimToken, long now) {
        Map<Long, Retry> byId = new LinkedHashMap<>();
        retries.forEach(r -> byId.put(r.id(), r));
        return count("retryLater", new ArrayList<>(byId.keySet()), id -> whileHeld(id, claimToken, c -> {
            Retry r = byId.get(id);
            return Target.of(c, MessageState.SCHEDULED).withTimes(c.deliverAt(), r.fireAt())
                    .withError(keptError(r.error()));
        }), now);
    }

    @Override
    public int postpone(List<Retry> retries, long claimToken, long now) {
        Map<Long, Retry> byId = new LinkedHashMap<>();
        retries.forEach(r -> byId.put(r.id(), r));
        return count("postpone", new ArrayList<>(byId.keySet()), id -> whileHeld(id, claimToken, c -> {
            Retry r = byId.get(id);
            return Target.of(c, MessageState.SCHEDULED).withTimes(c.deliverAt(), r.fireAt())
                    .withError(keptError(r.error())).withAttempts(Math.max(0, c.attempts() - 1));
        }), now);
    }

    @Override
    public int markDead(Collection<Long> ids, long claimToken, String error, long now) {
        String kept = keptError(error);
        return count("markDead", sortedDistinct(ids),
                id -> whileHeld(id, claimToken, c -> Target.of(c, MessageState.DEAD).withError(kept)), now);
    }

    @Override
    public int markExpired(Collection<Long> ids, long claimToken, String reason, long now) {
        String kept = keptError(reason);
        return count("markExpired", sortedDistinct(ids),
                id -> whileHeld(id, claimToken, c -> Target.of(c, MessageState.EXPIRED).withError(kept)), now);
    }

    @Override
    public boolean cancel(long id, long now) {
        return count("cancel", List.of(id), i -> Change.of(i, false, c -> c.state() == MessageState.SCHEDULED,
                c -> Target.of(c, MessageState.CANCELLED)), now) == 1;
    }

    @Override
    public Optional<DelayMessage> reschedule(long id, long newDeliverAt, long expectedVersion, long now) {
        return call("reschedule", () -> Optional.ofNullable(changes.apply(new Change(id, true) {
            @Override
            boolean applies(Current c) {
                return c.state() == MessageState.SCHEDULED && (expectedVersion < 0 || c.version() == expectedVersion);
            }

            @Override
            boolean retries() {
                return expectedVersion < 0; // with a version, a moved row is a lost race
            }

            @Override
            Target target(Current c) {
                return Target.of(c, MessageState.SCHEDULED).withTimes(newDeliverAt, newDeliverAt);
            }
        }, now).join()).map(Applied::message));
    }

    @Override
    public Optional<DelayMessage> redrive(long id, long deliverAt, long now) {
        return call("redrive", () -> Optional.ofNullable(changes.apply(Change.of(id, true,
                c -> c.state() == MessageState.DEAD,
                c -> Target.of(c, MessageState.SCHEDULED).withTimes(deliverAt, deliverAt).withAttempts(0)
                        .withError(null)),
                now).join()).map(Applied::message));
    }

    @Override
    public List<DueEntry> releaseStuck(int slot, long claimedBefore, long now, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return call("releaseStuck", () -> {
            List<DueEntry> released = new ArrayList<>();
            List<StateHint> candidates = new ArrayList<>();
            for (Row r : cql.sync(cql.plain(cql.selectStates, slot, MessageState.FIRING.name()))) {
                if (r.getLong("claimed_at") < claimedBefore) {
                    candidates.add(new StateHint(MessageState.FIRING, r.getLong("updated_at"), r.getLong("id")));
                }
            }
            for (int i = 0; i < candidates.size() && released.size() < limit; ) {
                int n = limit - released.size();
                List<StateHint> chunk = candidates.subList(i, Math.min(candidates.size(), i + n));
                i += chunk.size();
                List<Applied> applied = changes.applyEach(chunk, hint -> new Change(hint.id(), false) {
                    @Override
                    boolean applies(Current c) {
                        return c.slot() == slot && c.state() == MessageState.FIRING && c.claimedAt() < claimedBefore;
                    }

                    @Override
                    Target target(Current c) {
                        return Target.of(c, MessageState.SCHEDULED).withTimes(c.deliverAt(), now);
                    }

                    @Override
                    CompletableFuture<Void> notApplicable(Current c) {
                        return dropStaleStateHint(slot, hint, c);
                    }
                }, now);
                for (Applied a : applied) {
                    if (a != null) {
                        released.add(new DueEntry(a.id(), now));
                    }
                }
            }
            return released;
        });
    }

    @Override
    public int purgeFinished(int slot, long updatedBefore, int limit) {
        if (limit <= 0) {
            return 0;
        }
        return call("purgeFinished", () -> {
            int purged = 0;
            for (MessageState state : List.of(MessageState.DELIVERED, MessageState.CANCELLED, MessageState.DEAD,
                    MessageState.EXPIRED)) {
                while (purged < limit) {
                    int want = limit - purged;
                    List<StateHint> hints = new ArrayList<>(want);
                    for (Row r : cql.sync(cql.plain(cql.selectStatesBefore, slot, state.name(), updatedBefore, want))) {
                        hints.add(new StateHint(state, r.getLong("updated_at"), r.getLong("id")));
                    }
                    Purged p = purge(slot, updatedBefore, hints);
                    purged += p.deleted;
                    if (hints.size() < want || p.settled < hints.size()) {
                        break; // the partition has no more before the cutoff, or a message could not be settled now
                    }
                }
            }
            return purged;
        });
    }

    private record Purged(int deleted, int settled) {
    }

    /**
     * Deletes the finished messages behind {@code hints} (oldest first; each checked on its row) with their keys and
     * hints. The hints of the longest settled prefix (purged, or stale) then go as one range delete, so that the next
     * purge of this partition does not read one tombstone per message it already purged.
     */
    private Purged purge(int slot, long updatedBefore, List<StateHint> hints) {
        List<Integer> outcome = Lanes.map(hints, lanes, hint -> changes.readMeta(hint.id(), false).thenCompose(c -> {
            if (c == null || c.slot() != slot || c.state() != hint.state() || c.updatedAt() != hint.updatedAt()
                    || c.updatedAt() >= updatedBefore) {
                return CompletableFuture.completedFuture(0); // a stale hint: settled, nothing deleted
            }
            return delete(c).thenApply(deleted -> deleted ? 1 : -1);
        }).exceptionally(e -> {
            log.debug("message not purged [slot={} id={}]", slot, hint.id(), e);
            return -1;
        })).join();
        int deleted = 0;
        int settled = 0;
        for (int o : outcome) {
            if (o < 0) {
                break;
            }
            deleted += o;
            settled++;
        }
        for (int i = settled; i < outcome.size(); i++) {
            deleted += Math.max(0, outcome.get(i));
        }
        if (settled > 0) {
            StateHint last = hints.get(settled - 1);
            cql.sync(cql.plain(cql.deleteStatesUpTo, GONE_TIMESTAMP, slot, last.state().name(), last.updatedAt(),
                    last.id()));
        }
        return new Purged(deleted, settled);
    }

    /**
     * Deletes the message row {@code c} was read from, if its version is still {@code c}'s, then its due hint and its
     * idempotency key (so the key is free again); true when the row was deleted. Its by-state hint is the caller's:
     * {@link #purge} deletes a range of them at once.
     */
    private CompletableFuture<Boolean> delete(Current c) {
        return cql.async(cql.lwt(cql.deleteMessage, c.id(), c.version())).thenCompose(rs -> {
            if (!rs.wasApplied()) {
                return CompletableFuture.completedFuture(false);
            }
            List<CompletableFuture<?>> after = new ArrayList<>(2);
            after.add(due.remove(c.slot(), c.fireAt(), c.id(), GONE_TIMESTAMP));
            if (c.idemKey() != null) {
                after.add(cql.async(cql.lwt(cql.deleteIdem, c.appKey(), c.idemKey(), c.id())));
            }
            return quietly(after, "purge", c.id()).thenApply(v -> true);
        });
    }

    /**
     * Deleted as the archive job's {@link #purge} deletes a message, but one: its by-state hint goes on its own (a
     * range delete would take the hints of older DEAD messages of the slot with it). A lost race (the row changed
     * under us) is read again and retried while the message is still DEAD.
     */
    @Override
    public boolean purgeDead(long id) {
        return call("purgeDead", () -> purgeDead(id, 1).join());
    }

    private CompletableFuture<Boolean> purgeDead(long id, int attempt) {
        return changes.readMeta(id, false).thenCompose(c -> {
            if (c == null || c.state() != MessageState.DEAD) {
                return CompletableFuture.completedFuture(false);
            }
            return delete(c).thenCompose(deleted -> {
                if (!deleted) {
                    return attempt < MAX_ATTEMPTS ? purgeDead(id, attempt + 1)
                            : CompletableFuture.completedFuture(false);
                }
                return quietly(List.of(cql.async(cql.plain(cql.deleteState, GONE_TIMESTAMP, c.slot(),
                        MessageState.DEAD.name(), c.updatedAt(), id))), "purge", id).thenApply(v -> true);
            });
        });
    }

    // ---------------------------------------------------------------- counts

    @Override
    public Map<MessageState, Long> countByState() {
        return call("countByState", () -> {
            Map<MessageState, Long> counts = new EnumMap<>(MessageState.class);
            for (Row r : cql.sync(cql.plain(cql.countStates))) {
                counts.merge(MessageState.valueOf(r.getString(1)), r.getLong(2), Long::sum);
            }
            return counts;
        });
    }

    @Override
    public long countScheduled(int slot) {
        return call("countScheduled", () -> {
            Row r = cql.sync(cql.plain(cql.countState, slot, MessageState.SCHEDULED.name())).one();
            return r == null ? 0L : r.getLong(0);
        });
    }

    /** See {@link MessageSearch#countScheduledOfApp}: one filtered count per slot, O(SCHEDULED messages). */
    @Override
    public long countScheduledOfApp(String appKey) {
        return call("countScheduledOfApp", () -> search.countScheduledOfApp(appKey));
    }

    /** See {@link MessageSearch#pendingCounts}: a read of every SCHEDULED message's small columns. */
    @Override
    public List<PendingCount> pendingCounts(long now) {
        return call("pendingCounts", () -> search.pendingCounts(now));
    }

    /** See {@link MessageSearch}: by slot, then time of the last change, then id; pages of bounded work. */
    @Override
    public MessagePage search(MessageQuery query, String cursor, int limit) {
        return call("search", () -> search.search(query, cursor, limit));
    }

    // ---------------------------------------------------------------- helpers

    /** Deletes a by-state hint that no longer matches its row (row null: the message is gone). */
    private CompletableFuture<Void> dropStaleStateHint(int slot, StateHint hint, Current c) {
        if (c != null && c.state() == hint.state() && c.slot() == slot && c.updatedAt() == hint.updatedAt()) {
            return CompletableFuture.completedFuture(null);
        }
        long ts = c == null ? GONE_TIMESTAMP : hintTimestamp(c.version());
        return quietly(List.of(cql.async(cql.plain(cql.deleteState, ts, slot, hint.state().name(), hint.updatedAt(),
                hint.id()))), "stale hint", hint.id());
    }

    /** One row of {@code message_by_state}. */
    private record StateHint(MessageState state, long updatedAt, long id) {
    }

    /** An outcome of firing: applies while the message is still FIRING under the firer's claim token. */
    private static Change whileHeld(long id, long claimToken, Function<Current, Target> target) {
        return Change.of(id, false, c -> c.state() == MessageState.FIRING && c.claimToken() == claimToken, target);
    }

    /** A change per id, {@code concurrency} in flight: how many were applied. */
    private int count(String action, List<Long> ids, LongFunction<Change> change, long now) {
        if (ids.isEmpty()) {
            return 0;
        }
        return call(action, () -> (int) changes.applyEach(ids, change::apply, now).stream()
                .filter(Objects::nonNull).count());
    }

    private static <T> T call(String action, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(action, e);
        }
    }
}
