package io.hourglass.store.mysql;

import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.model.PendingCount;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.store.mysql.MessageMapper.StateCount;
import io.hourglass.store.mysql.MessageMapper.TimeRow;
import org.mybatis.spring.SqlSessionTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import static io.hourglass.core.spi.StoreArguments.keptError;
import static io.hourglass.core.spi.StoreArguments.sortedDistinct;

import static io.hourglass.store.mysql.StoreErrors.call;

/**
 * {@link MessageStore} on MyBatis, for MySQL 8, MariaDB 10.11 and H2 in MODE=MySQL.
 *
 * <p>Every call is one statement or one transaction. Lists are sorted by id and cut into statements of at most
 * {@code batchSize} rows, all in the call's transaction: so a call of 1000 inserts is one commit, and two calls that
 * touch the same rows lock them in the same order (no deadlock between two claimers). Every change of state is a
 * conditional UPDATE on the current state, and on the claim token where the port says so: a lost race changes
 * 0 rows.
 *
 * <p>{@link #claim}: the rows returned are those whose claim token and claim time are this call's; a caller that
 * reused a token with the same {@code now} for an earlier claim of the same ids would get those again. The engine
 * makes one token per claim.
 */
final class MybatisMessageStore implements MessageStore {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MybatisMessageStore.class);

    private static final Comparator<MessageRow> FIRE_ORDER =
            Comparator.comparingLong((MessageRow r) -> r.fireAt).thenComparingLong(r -> r.id);

    private final MessageMapper mapper;
    private final SqlSessionTemplate batchSession;
    private final MessageMapper batchMapper;
    private final TransactionTemplate tx;
    private final int batchSize;

    MybatisMessageStore(MessageMapper mapper, SqlSessionTemplate batchSession, TransactionTemplate tx,
                        MysqlStoreProperties properties) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.batchSession = Objects.requireNonNull(batchSession, "batchSession");
        this.batchMapper = batchSession.getMapper(MessageMapper.class);
        this.tx = Objects.requireNonNull(tx, "tx");
        this.batchSize = properties.batchSize();
    }

    @Override
    public void insert(List<DelayMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        List<MessageRow> rows = new ArrayList<>(messages.size());
        for (DelayMessage m : messages) {
            rows.add(MessageRow.of(m));
        }
        // One statement text for any number of rows (a JDBC batch): the database parses it once per connection.
        // A multi-row VALUES would be a new text for every batch size, re-parsed on nearly every group commit.
        call("insert", () -> tx.execute(status -> {
            for (MessageRow row : rows) {
                batchMapper.insertOne(row);
            }
            batchSession.flushStatements();
            return null;
        }));
    }

    @Override
    public Optional<DelayMessage> get(long id) {
        return bounded("get", () -> Optional.ofNullable(mapper.selectById(id)).map(MessageRow::toMessage));
    }

    @Override
    public List<DelayMessage> findByIdempotencyKeys(String appKey, Collection<String> keys) {
        List<String> distinct = keys.stream().filter(Objects::nonNull).distinct().toList();
        if (distinct.isEmpty()) {
            return List.of();
        }
        return bounded("findByIdempotencyKeys", () -> {
            List<DelayMessage> found = new ArrayList<>();
            for (List<String> chunk : chunks(distinct)) {
                for (MessageRow r : mapper.selectByIdemKeys(appKey, chunk)) {
                    found.add(r.toMessage());
                }
            }
            return found;
        });
    }

    @Override
    public List<DueEntry> scanScheduled(int slot, long fromFireAt, long toFireAt, long afterFireAt, long afterId,
                                        int limit) {
        if (limit <= 0 || fromFireAt >= toFireAt) {
            return List.of();
        }
        long lo = Math.max(fromFireAt, afterFireAt);
        return bounded("scanScheduled", () -> mapper.scanScheduled(slot, lo, toFireAt, afterFireAt, afterId, limit));
    }

    @Override
    public List<DelayMessage> claim(Collection<Long> ids, long now, long claimToken) {
        List<Long> sorted = sortedDistinct(ids);
        if (sorted.isEmpty()) {
            return List.of();
        }
        List<MessageRow> rows = call("claim", () -> tx.execute(status -> {
            List<MessageRow> claimed = new ArrayList<>();
            for (List<Long> chunk : chunks(sorted)) {
                if (mapper.claim(chunk, now, claimToken) > 0) {
                    claimed.addAll(mapper.selectClaimed(chunk, claimToken, now));
                }
            }
            return claimed;
        }));
        rows.sort(FIRE_ORDER);
        List<DelayMessage> out = new ArrayList<>(rows.size());
        for (MessageRow r : rows) {
            try {
                out.add(r.toMessage());
            } catch (RuntimeException unreadable) {
                // a row the store mangled (headers truncated by a server in non-strict SQL mode, say) can never be
                // emitted: DEAD with the reason, rather than claimed, failed and re-fired forever with its batch
                log.error("[id={}] stored message cannot be read; marking it DEAD", r.id, unreadable);
                markDead(List.of(r.id), claimToken, "stored message cannot be read: " + unreadable.getMessage(), now);
            }
        }
        return out;
    }

    @Override
    public int markDelivered(Collection<Long> ids, long claimToken, long now) {
        List<Long> sorted = sortedDistinct(ids);
        if (sorted.isEmpty()) {
            return 0;
        }
        return call("markDelivered", () -> tx.execute(status -> {
            int changed = 0;
            for (List<Long> chunk : chunks(sorted)) {
                changed += mapper.markDelivered(chunk, claimToken, now);
            }
            return changed;
        }));
    }

    @Override
    public int rearm(List<Rearm> rearms, long claimToken, long now) {
        Map<Long, TimeRow> byId = new LinkedHashMap<>();
        for (Rearm r : rearms) {
            byId.put(r.id(), new TimeRow(r.id(), r.deliverAt(), null));
        }
        return updateRows("rearm", byId, rows -> mapper.rearm(rows, claimToken, now));
    }

    @Override
    public int retryLater(List<Retry> retries, long claimToken, long now) {
        return updateRows("retryLater", retryRows(retries), rows -> mapper.retryLater(rows, claimToken, now));
    }

    private static Map<Long, TimeRow> retryRows(List<Retry> retries) {
        Map<Long, TimeRow> byId = new LinkedHashMap<>();
        for (Retry r : retries) {
            byId.put(r.id(), new TimeRow(r.id(), r.fireAt(), keptError(r.error())));
        }
        return byId;
    }

    @Override
    public int postpone(List<Retry> retries, long claimToken, long now) {
        return updateRows("postpone", retryRows(retries), rows -> mapper.postpone(rows, claimToken, now));
    }

    @Override
    public int markDead(Collection<Long> ids, long claimToken, String error, long now) {
        return markFinal("markDead", ids, claimToken, error, now, mapper::markDead);
    }

    @Override
    public int markExpired(Collection<Long> ids, long claimToken, String reason, long now) {
        return markFinal("markExpired", ids, claimToken, reason, now, mapper::markExpired);
    }

    /** The update that ends the held claims of {@code ids} in a final state, keeping (the start of) the error. */
    private int markFinal(String action, Collection<Long> ids, long claimToken, String error, long now,
                          FinalUpdate update) {
        List<Long> sorted = sortedDistinct(ids);
        if (sorted.isEmpty()) {
            return 0;
        }
        String kept = keptError(error);
        return call(action, () -> tx.execute(status -> {
            int changed = 0;
            for (List<Long> chunk : chunks(sorted)) {
                changed += update.apply(chunk, claimToken, kept, now);
            }
            return changed;
        }));
    }

    @Override
    public boolean cancel(long id, long now) {
        return bounded("cancel", () -> mapper.cancel(id, now) == 1);
    }

    @Override
    public Optional<DelayMessage> reschedule(long id, long newDeliverAt, long expectedVersion, long now) {
        return call("reschedule", () -> tx.execute(status -> {
            if (mapper.reschedule(id, newDeliverAt, expectedVersion, now) != 1) {
                return Optional.<DelayMessage>empty();
            }
            return Optional.of(mapper.selectById(id).toMessage()); // our row lock holds until commit
        }));
    }

    @FunctionalInterface
    private interface FinalUpdate {
        int apply(List<Long> ids, long token, String error, long now);
    }

    @Override
    public Optional<DelayMessage> redrive(long id, long deliverAt, long now) {
        return call("redrive", () -> tx.execute(status -> {
            if (mapper.redrive(id, deliverAt, now) != 1) {
                return Optional.<DelayMessage>empty();
            }
            return Optional.of(mapper.selectById(id).toMessage()); // our row lock holds until commit
        }));
    }

    @Override
    public List<DueEntry> releaseStuck(int slot, long claimedBefore, long now, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return call("releaseStuck", () -> tx.execute(status -> {
            List<Long> locked = mapper.lockStuck(slot, claimedBefore, limit);
            if (locked.isEmpty()) {
                return List.<DueEntry>of();
            }
            List<Long> sorted = sortedDistinct(locked);
            int released = 0;
            for (List<Long> chunk : chunks(sorted)) {
                released += mapper.releaseStuck(chunk, claimedBefore, now);
            }
            if (released != sorted.size()) { // rows were locked: anything else is a broken lock, so undo
                throw new IllegalStateException("releaseStuck locked " + sorted.size() + " rows but changed "
                        + released + " [slot=" + slot + "]");
            }
            List<DueEntry> entries = new ArrayList<>(locked.size());
            for (Long id : locked) {
                entries.add(new DueEntry(id, now));
            }
            return entries;
        }));
    }

    @Override
    public int purgeFinished(int slot, long updatedBefore, int limit) {
        if (limit <= 0) {
            return 0;
        }
        return call("purgeFinished", () -> mapper.purgeFinished(slot, updatedBefore, limit));
    }

    @Override
    public boolean purgeDead(long id) {
        return bounded("purgeDead", () -> mapper.purgeDead(id) == 1);
    }

    @Override
    public Map<MessageState, Long> countByState() {
        return call("countByState", () -> {
            Map<MessageState, Long> counts = new EnumMap<>(MessageState.class);
            for (StateCount c : mapper.countByState()) {
                counts.put(MessageState.valueOf(c.state), c.n);
            }
            return counts;
        });
    }

    @Override
    public long countScheduled(int slot) {
        return call("countScheduled", () -> mapper.countScheduled(slot));
    }

    @Override
    public long countScheduledOfApp(String appKey) {
        return call("countScheduledOfApp", () -> mapper.countScheduledOfApp(appKey));
    }

    @Override
    public List<PendingCount> pendingCounts(long now) {
        return call("pendingCounts", () -> mapper.pendingCounts(now + PendingCount.MINUTE, now + PendingCount.HOUR,
                now + PendingCount.DAY));
    }

    /**
     * Ordered by (deliverAt, id); the cursor is {@code "deliverAt:id"} of the last message of the page, and a page is
     * followed by another only when a further row matched (one row more than the page is read to tell).
     */
    @Override
    public MessagePage search(MessageQuery query, String cursor, int limit) {
        Objects.requireNonNull(query, "query");
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("limit", "must be 1..1000, was " + limit);
        }
        Long afterDue = null;
        Long afterId = null;
        if (cursor != null) {
            int colon = cursor.indexOf(':');
            try {
                afterDue = Long.parseLong(cursor.substring(0, colon));
                afterId = Long.parseLong(cursor.substring(colon + 1));
            } catch (RuntimeException e) {
                throw new ValidationException("cursor", "is not a cursor of this store's search: " + cursor);
            }
        }
        Long lo = query.dueFrom();
        if (afterDue != null && (lo == null || lo < afterDue)) {
            lo = afterDue;
        }
        Long hi = query.dueTo();
        if (lo != null && hi != null && lo >= hi) {
            return new MessagePage(List.of(), null);
        }
        Long from = lo;
        Long due = afterDue;
        Long id = afterId;
        List<MessageRow> rows = call("search", () -> mapper.search(query.state().name(), query.appKey(),
                query.topic(), query.key(), from, hi, due, id, limit + 1));
        List<DelayMessage> page = new ArrayList<>(Math.min(rows.size(), limit));
        for (int i = 0; i < rows.size() && i < limit; i++) {
            page.add(rows.get(i).toMessage());
        }
        if (rows.size() <= limit) {
            return new MessagePage(page, null);
        }
        DelayMessage last = page.get(limit - 1);
        return new MessagePage(page, last.deliverAt() + ":" + last.id());
    }

    // ---------------------------------------------------------------- helpers

    private int updateRows(String action, Map<Long, TimeRow> byId, RowsUpdate update) {
        if (byId.isEmpty()) {
            return 0;
        }
        List<TimeRow> rows = new ArrayList<>(byId.values());
        rows.sort(Comparator.comparingLong(r -> r.id));
        return call(action, () -> tx.execute(status -> {
            int changed = 0;
            for (List<TimeRow> chunk : chunks(rows)) {
                changed += update.apply(chunk);
            }
            return changed;
        }));
    }

    /**
     * Splits into chunks of at most {@code batchSize}, each padded to a power of two (or to {@code batchSize}) by
     * repeating its last element. A repeated id in an IN list or CASE changes nothing, and the statements come in
     * a handful of shapes that stay in the database's statement cache instead of one new text per size.
     */
    private <T> List<List<T>> chunks(List<T> list) {
        List<List<T>> chunks = new ArrayList<>((list.size() + batchSize - 1) / batchSize);
        for (int i = 0; i < list.size(); i += batchSize) {
            chunks.add(padded(list.subList(i, Math.min(list.size(), i + batchSize))));
        }
        return chunks;
    }

    private <T> List<T> padded(List<T> chunk) {
        int size = chunk.size();
        int shape = Math.min(batchSize, Integer.highestOneBit(size) == size ? size : Integer.highestOneBit(size) << 1);
        if (shape == size) {
            return chunk;
        }
        List<T> out = new ArrayList<>(shape);
        out.addAll(chunk);
        T last = chunk.get(size - 1);
        while (out.size() < shape) {
            out.add(last);
        }
        return out;
    }

    /**
     * A single-statement call run in a store transaction all the same, for its bound: a client's read or cancel, and
     * the preloader's scan, on a connection whose network went silent fail after {@code delay.store.mysql.transaction-timeout}
     * (see {@link BoundedTransactionManager}) instead of the URL's {@code socketTimeout}, which may be a minute or
     * none. The submit path reads idempotency keys this way, so a frozen database refuses a keyed submit as fast as an
     * unkeyed one. (Counts and the console's search stay outside: they may rightly take longer on a large table.)
     */
    private <T> T bounded(String action, Supplier<T> work) {
        return StoreErrors.bounded(tx, action, work);
    }


    @FunctionalInterface
    private interface RowsUpdate {
        int apply(List<TimeRow> rows);
    }
}
