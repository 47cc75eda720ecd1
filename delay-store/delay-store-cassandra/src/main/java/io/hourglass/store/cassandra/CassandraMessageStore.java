package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.CASWriteUnknownException;
import com.datastax.oss.driver.api.core.servererrors.DefaultWriteType;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.error.DuplicateMessageException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.model.PendingCount;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.store.cassandra.MessageRows.Current;
import io.hourglass.store.cassandra.MessageRows.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import static io.hourglass.core.spi.StoreArguments.keptError;
import static io.hourglass.core.spi.StoreArguments.sortedDistinct;
import static io.hourglass.store.cassandra.MessageRows.GONE_TIMESTAMP;
import static io.hourglass.store.cassandra.MessageRows.hintTimestamp;

/**
 * {@link MessageStore} on Apache Cassandra (driver 4). The {@code message} table (one partition per id) is the truth;
 * the due index and the by-state index are hints that are written before a change makes them needed and checked
 * against the truth when read (see {@link DueIndex}, {@link CassandraSchema} and docs/stores.md).
 *
 * <p><b>Changes of state</b> are lightweight transactions on the message row, {@code IF version = v} after a read of
 * version v: exactly one of two racing changes applies, and the loser reads the row again and retries only while the
 * change still applies to it (a claim of a message another claimer took does not). A transaction whose outcome is
 * unknown (a CAS write timeout, a client timeout) is settled with a read at the serial consistency, which completes a
 * transaction in progress. Calls on many ids run one such change per id, {@code concurrency} in flight.
 *
 * <p><b>Insert</b>: there is no transaction across partitions, so all-or-none is built from steps that are undone on
 * failure: ids are checked to be new (ids are made unique by their server; the check catches a caller's mistake),
 * idempotency keys are reserved with {@code INSERT ... IF NOT EXISTS} (released again when any of the batch is a
 * duplicate), the hints are written, then the rows. A failure after the reservations deletes what was written and
 * releases the keys, best effort; what an undo could not remove is a message the client was told had failed and may
 * retry under its idempotency key (the retry finds it: at least once).
 */
final class CassandraMessageStore implements MessageStore {

    private static final Logger log = LoggerFactory.getLogger(CassandraMessageStore.class);

    /** Retries of one change that lost a race but still applies to the row (it moved on under us, e.g. rescheduled). */
    private static final int MAX_ATTEMPTS = 8;

    private static final Comparator<DelayMessage> FIRE_ORDER =
            Comparator.comparingLong(DelayMessage::fireAt).thenComparingLong(DelayMessage::id);

    private final Cql cql;
    private final DueIndex due;
    private final MessageSearch search;
    private final DelayClock clock;
    private final int lanes;
    private final long staleMs;

    CassandraMessageStore(Cql cql, CassandraStoreProperties properties, DelayClock clock) {
        this.cql = Objects.requireNonNull(cql, "cql");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.due = new DueIndex(cql, properties);
        this.search = new MessageSearch(cql, properties.concurrency());
        this.lanes = properties.concurrency();
        this.staleMs = properties.staleAfter().toMillis();
    }

    // ---------------------------------------------------------------- insert

    @Override
    public void insert(List<DelayMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        Set<Long> ids = new HashSet<>();
        Set<List<String>> keys = new HashSet<>();
        for (DelayMessage m : messages) {
            if (!ids.add(m.id())) {
                throw new DuplicateMessageException("insert: id " + m.id() + " appears twice in the batch", null);
            }
            if (m.idempotencyKey() != null && !keys.add(List.of(m.appKey(), m.idempotencyKey()))) {
                throw new DuplicateMessageException("insert: idempotency key " + m.idempotencyKey()
                        + " appears twice in the batch", null);
            }
        }
        call("insert", () -> {
            insertChecked(messages, clock.now());
            return null;
        });
    }

    private void insertChecked(List<DelayMessage> messages, long now) {
        List<Boolean> exists = Lanes.map(messages, lanes, m -> cql.async(cql.plain(cql.selectExists, m.id()))
                .thenApply(rs -> rs.one() != null)).join();
        for (int i = 0; i < messages.size(); i++) {
            if (exists.get(i)) {
                throw new DuplicateMessageException("insert: a message with id " + messages.get(i).id() + " exists",
                        null);
            }
        }

        List<DelayMessage> keyed = messages.stream().filter(m -> m.idempotencyKey() != null).toList();
        List<Reservation> reservations = Lanes.map(keyed, lanes, m -> reserve(m, now)).join();
        boolean taken = reservations.contains(Reservation.TAKEN);
        boolean unknown = reservations.contains(Reservation.UNKNOWN);
        if (taken || unknown) {
            release(keyed, reservations);
            if (taken) {
                throw new DuplicateMessageException("insert: a message with this idempotency key exists", null);
            }
            throw new StoreUnavailableException("insert failed: an idempotency key could not be reserved", null);
        }

        try {
            writeHints(messages, now);
            Lanes.map(messages, lanes, m -> cql.async(cql.plain(cql.insertMessage, MessageRows.insertValues(m))))
                    .join();
        } catch (RuntimeException e) {
            undo(messages, keyed, reservations);
            throw e;
        }
    }

    private enum Reservation { OURS, TAKEN, UNKNOWN }

    /**
     * Reserves (appKey, idempotencyKey) for the message. A reservation whose message row is missing is an insert in
     * flight, or one that failed and could not release it: after {@code stale-after} it is taken over.
     */
    private CompletableFuture<Reservation> reserve(DelayMessage m, long now) {
        return cql.async(cql.lwt(cql.insertIdemIfAbsent, m.appKey(), m.idempotencyKey(), m.id(), now))
                .thenCompose(rs -> {
                    if (rs.wasApplied()) {
                        return CompletableFuture.completedFuture(Reservation.OURS);
                    }
                    Row held = rs.one();
                    long holder = held.getLong("id");
                    if (holder == m.id()) {
                        return CompletableFuture.completedFuture(Reservation.OURS);
                    }
                    long since = held.isNull("created_at") ? 0 : held.getLong("created_at");
                    return cql.async(cql.plain(cql.selectExists, holder)).thenCompose(row -> {
                        if (row.one() != null || since > now - staleMs) {
                            return CompletableFuture.completedFuture(Reservation.TAKEN);
                        }
                        return cql.async(cql.lwt(cql.takeOverIdem, m.id(), now, m.appKey(), m.idempotencyKey(),
                                holder)).thenApply(t -> t.wasApplied() ? Reservation.OURS : Reservation.TAKEN);
                    });
                })
                .exceptionally(e -> {
                    log.debug("idempotency key not reserved [app={} id={}]", m.appKey(), m.id(), e);
                    return Reservation.UNKNOWN;
                });
    }

    /** Releases the keys this call reserved (or may have: an unknown outcome); best effort. */
    private void release(List<DelayMessage> keyed, List<Reservation> reservations) {
        List<DelayMessage> ours = new ArrayList<>();
        for (int i = 0; i < keyed.size(); i++) {
            if (reservations.get(i) != Reservation.TAKEN) {
                ours.add(keyed.get(i));
            }
        }
        Lanes.map(ours, lanes, m -> cql.async(cql.lwt(cql.deleteIdem, m.appKey(), m.idempotencyKey(), m.id()))
                .exceptionally(e -> {
                    log.warn("idempotency key of a failed insert not released; taken over after stale-after"
                            + " [app={} id={}]", m.appKey(), m.id(), e);
                    return null;
                })).join();
    }

    /** The due entries (bucket registered first) and the SCHEDULED hints of new messages, at version 0. */
    private void writeHints(List<DelayMessage> messages, long now) {
        long ts = hintTimestamp(0);
        Map<Integer, List<DelayMessage>> bySlot = new LinkedHashMap<>();
        for (DelayMessage m : messages) {
            bySlot.computeIfAbsent(m.slot(), s -> new ArrayList<>()).add(m);
        }
        List<Supplier<CompletableFuture<?>>> work = new ArrayList<>();
        for (Map.Entry<Integer, List<DelayMessage>> slotGroup : bySlot.entrySet()) {
            int slot = slotGroup.getKey();
            List<DueIndex.Entry> entries = slotGroup.getValue().stream()
                    .map(m -> new DueIndex.Entry(m.fireAt(), m.id())).toList();
            for (Map.Entry<Long, List<DueIndex.Entry>> bucket : due.byBucket(entries).entrySet()) {
                work.add(() -> due.addAll(slot, bucket.getKey(), bucket.getValue(), ts, now));
            }
            List<DelayMessage> all = slotGroup.getValue();
            for (int i = 0; i < all.size(); i += DueIndex.BATCH) {
                List<BatchableStatement<?>> batch = new ArrayList<>();
                for (DelayMessage m : all.subList(i, Math.min(all.size(), i + DueIndex.BATCH))) {
                    batch.add(cql.insertState.bind(slot, MessageState.SCHEDULED.name(), m.updatedAt(), m.id(), 0L,
                            m.appKey(), ts));
                }
                work.add(() -> cql.async(cql.batch(batch)));
            }
        }
        Lanes.map(work, Math.max(1, lanes / 4), Supplier::get).join();
    }

    /**
     * Best effort after a failed insert: each row while untouched (version 0; a row the engine already claimed from
     * the scan stays, and is delivered: at least once), then the hints of the rows that are gone, then the keys.
     */
    private void undo(List<DelayMessage> messages, List<DelayMessage> keyed, List<Reservation> reservations) {
        try {
            Lanes.map(messages, lanes, m -> cql.async(cql.lwt(cql.deleteMessage, m.id(), 0L)).thenCompose(rs -> {
                Row r = rs.one();
                if (!rs.wasApplied() && r != null && !r.isNull("version")) {
                    return CompletableFuture.completedFuture(null); // the row lives on
                }
                return CompletableFuture.allOf(
                        cql.async(cql.plain(cql.deleteState, GONE_TIMESTAMP, m.slot(), MessageState.SCHEDULED.name(),
                                m.updatedAt(), m.id())),
                        due.remove(m.slot(), m.fireAt(), m.id(), GONE_TIMESTAMP));
            })).join();
            release(keyed, reservations);
        } catch (RuntimeException e) {
            log.warn("a failed insert of {} messages could not be undone; what remains is checked as stale hints or"
                    + " found by the client's retry under its idempotency key", messages.size(), e);
        }
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
            List<Applied> applied = Lanes.map(sorted, lanes, id -> change(new Change(id, true) {
                @Override
                boolean applies(Current c) {
                    return c.state() == MessageState.SCHEDULED && c.fireAt() <= now;
                }

                @Override
                Target target(Current c) {
                    return Target.of(c, MessageState.FIRING).withClaim(claimToken, now).withAttempts(c.attempts() + 1);
                }
            }, now)).join();
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
        return count("cancel", List.of(id), i -> new Change(i, false) {
            @Override
            boolean applies(Current c) {
                return c.state() == MessageState.SCHEDULED;
            }

            @Override
            Target target(Current c) {
                return Target.of(c, MessageState.CANCELLED);
            }
        }, now) == 1;
    }

    @Override
    public Optional<DelayMessage> reschedule(long id, long newDeliverAt, long expectedVersion, long now) {
        return call("reschedule", () -> Optional.ofNullable(change(new Change(id, true) {
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
        return call("redrive", () -> Optional.ofNullable(change(new Change(id, true) {
            @Override
            boolean applies(Current c) {
                return c.state() == MessageState.DEAD;
            }

            @Override
            Target target(Current c) {
                return Target.of(c, MessageState.SCHEDULED).withTimes(deliverAt, deliverAt).withAttempts(0).withError(null);
            }
        }, now).join()).map(Applied::message));
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
                List<Applied> applied = Lanes.map(chunk, lanes, hint -> change(new Change(hint.id(), false) {
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
                }, now)).join();
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
        List<Integer> outcome = Lanes.map(hints, lanes, hint -> readMeta(hint.id(), false).thenCompose(c -> {
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
        return readMeta(id, false).thenCompose(c -> {
            if (c == null || c.state() != MessageState.DEAD) {
                return CompletableFuture.completedFuture(false);
            }
            return delete(c).thenCompose(deleted -> {
                if (!deleted) {
                    return attempt < MAX_ATTEMPTS ? purgeDead(id, attempt + 1) : CompletableFuture.completedFuture(false);
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

    // ---------------------------------------------------------------- the change machinery

    /** One conditional change of one message. */
    private abstract static class Change {
        final long id;
        /** Read the whole row (payload, headers): the caller returns the changed message. */
        final boolean whole;

        Change(long id, boolean whole) {
            this.id = id;
            this.whole = whole;
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
    private record Applied(long id, Current before, Target target, long version, long now) {
        DelayMessage message() {
            return target.applyTo(before.full(), version, now);
        }
    }

    private int count(String action, List<Long> ids, LongFunction<Change> change, long now) {
        if (ids.isEmpty()) {
            return 0;
        }
        return call(action, () -> (int) Lanes.map(ids, lanes, id -> change(change.apply(id), now)).join().stream()
                .filter(Objects::nonNull).count());
    }

    private CompletableFuture<Applied> change(Change ch, long now) {
        return attempt(ch, now, 1);
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

    private CompletableFuture<Current> readMeta(long id, boolean whole) {
        return cql.async(cql.plain(whole ? cql.selectMessage : cql.selectMeta, id)).thenApply(rs -> {
            Row r = rs.one();
            return r == null ? null : Current.of(r, whole);
        });
    }

    private static CompletableFuture<Void> quietly(List<CompletableFuture<?>> work, String what, long id) {
        return CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            if (e != null) {
                log.debug("{} failed; left for the readers' clean-up [id={}]", what, id, e);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- helpers

    /** An outcome of firing: applies while the message is still FIRING under the firer's claim token. */
    private static Change whileHeld(long id, long claimToken, Function<Current, Target> target) {
        return new Change(id, false) {
            @Override
            boolean applies(Current c) {
                return c.state() == MessageState.FIRING && c.claimToken() == claimToken;
            }

            @Override
            Target target(Current c) {
                return target.apply(c);
            }
        };
    }

    private static <T> T call(String action, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(action, e);
        }
    }
}
