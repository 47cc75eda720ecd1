package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.error.DuplicateMessageException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static io.hourglass.store.cassandra.MessageRows.GONE_TIMESTAMP;
import static io.hourglass.store.cassandra.MessageRows.hintTimestamp;

/**
 * The insert of a batch of new messages, all or none, without a transaction across partitions (Cassandra 5.0 has
 * none): a saga of steps, each undone when a later one fails.
 *
 * <ol>
 *   <li>Duplicates inside the batch (an id, or an app's idempotency key, twice) are refused before any read or write
 *       ({@link #checkDistinct}).</li>
 *   <li>Every id is checked to be new, with a plain read: ids are made unique by their owning server
 *       ({@code MessageIds}), so this catches a caller's mistake, not a race, and is not worth a Paxos round.</li>
 *   <li>Every idempotency key is reserved, {@code INSERT INTO message_idem ... IF NOT EXISTS}: of two inserts racing
 *       for one (app, key), Paxos applies exactly one. If any key is taken (or its outcome is unknown), the keys this
 *       call holds are released and nothing else has been written: the batch is refused whole.</li>
 *   <li>The hints: due entries (each bucket registered first) and SCHEDULED by-state rows, at the timestamp of
 *       version 0.</li>
 *   <li>The rows.</li>
 * </ol>
 *
 * <p><b>Nothing SCHEDULED is ever missing from the scan</b>, because the hints are written before the rows: a crash
 * between (4) and (5) leaves hints without rows, which the readers skip, and delete after {@code stale-after} (see
 * {@link DueIndex}). The reverse order could leave a row that no scan ever finds.
 *
 * <p><b>One message per idempotency key.</b> A key is only ever taken by an applied LWT: the reservation, or the
 * take-over of a reservation whose message row is missing and which is older than {@code stale-after}
 * ({@code IF id = holder}: of two takers, one wins). Such a reservation is an insert that failed and could not release
 * it, because an insert in flight writes its row within {@code stale-after} (which must exceed the longest insert plus
 * the clock skew, docs/stores.md). A release is {@code DELETE ... IF id = ours}, so an insert never frees a key another
 * insert holds, even when its own reservation's outcome was unknown.
 *
 * <p><b>Undo</b> after a failure in (4) or (5), best effort: each row is deleted while it is untouched
 * ({@code IF version = 0}; a row the engine already claimed from the scan stays and is delivered: at least once), then
 * the hints of the rows that are gone (at {@link MessageRows#GONE_TIMESTAMP}, above every version's), then the keys.
 * What an undo cannot remove is a message whose client was told the insert failed: the client's retry under its
 * idempotency key finds it (at least once); without a key, it is delivered once more than asked. A row that stays
 * because the engine claimed it has its key released with the others, so a retry under that key inserts the message
 * again: delivered twice, which at least once allows (the claim needs the message due while its insert is failing).
 */
final class InsertSaga {

    private static final Logger log = LoggerFactory.getLogger(InsertSaga.class);

    private final Cql cql;
    private final DueIndex due;
    private final int lanes;
    private final long staleMs;

    InsertSaga(Cql cql, DueIndex due, CassandraStoreProperties properties) {
        this.cql = cql;
        this.due = due;
        this.lanes = properties.concurrency();
        this.staleMs = properties.staleAfter().toMillis();
    }

    /** Step 1: refuses a batch that holds an id, or an app's idempotency key, twice. Reads and writes nothing. */
    static void checkDistinct(List<DelayMessage> messages) {
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
    }

    /** Steps 2 to 5 for a batch that passed {@link #checkDistinct}; undoes what it wrote when it fails. */
    void insert(List<DelayMessage> messages, long now) {
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
}
