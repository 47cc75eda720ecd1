package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The due index: {@code message_due}, partition (slot, bucket) clustered by (fire_at, id), and the registry of a
 * slot's buckets that may hold entries, {@code message_due_bucket}.
 *
 * <p><b>A hint, never missing anything.</b> An entry is written before the change of the message row that makes the
 * message SCHEDULED at that fire_at, so a SCHEDULED message always has its entry; a scan checks every entry against
 * the row and returns only the messages that are SCHEDULED there, in that slot, at that fire_at. Entries that no
 * longer match are deleted as the scan meets them (with the timestamp of the row's version, so that a newer entry for
 * the same (fire_at, id) survives the delete whatever the order of arrival).
 *
 * <p><b>Buckets.</b> A scan reads the registry first and only the buckets listed there, so that the sweeper's scan
 * from 0 costs the open buckets, not one query per bucket since 1970. A bucket is registered before its first entry
 * is written. A bucket that ended {@code stale-after} ago and is found empty is closed (its registry row deleted), so
 * the registry and the tombstones of delivered entries are not read again. Closing races with a late write into that
 * bucket (a repeating message whose next round is already past, a release of a stuck claim): both sides use a
 * lightweight transaction on the registry row and then check the other's table, writer after its entry, closer after
 * its delete, so at least one of them sees the other and the bucket is open again (see docs/stores.md). Writes into
 * recent buckets, which no closer touches yet, take the fast path: a plain insert of the registry row, once per
 * bucket and process.
 */
final class DueIndex {

    private static final Logger log = LoggerFactory.getLogger(DueIndex.class);

    /** Hints per unlogged batch: one partition, well under the server's batch size warning. */
    static final int BATCH = 64;
    /** Most entries one scan query asks for. */
    private static final int MAX_PAGE = 2000;
    /** Known open buckets kept before the old ones are dropped from the cache. */
    private static final int OPEN_CACHE_LIMIT = 50_000;

    private final Cql cql;
    private final long bucketMs;
    private final long staleMs;
    private final int lanes;
    /** Recent buckets this process registered: the fast path. */
    private final Set<BucketKey> open = ConcurrentHashMap.newKeySet();

    DueIndex(Cql cql, CassandraStoreProperties p) {
        this.cql = cql;
        this.bucketMs = p.bucketSize().toMillis();
        this.staleMs = p.staleAfter().toMillis();
        this.lanes = p.concurrency();
    }

    long bucketOf(long fireAt) {
        return Math.floorDiv(fireAt, bucketMs);
    }

    private long startOf(long bucket) {
        return bucket * bucketMs;
    }

    private long endOf(long bucket) {
        return bucket * bucketMs + bucketMs;
    }

    /** True when a closer may already act on the bucket (allowing clock skew up to half of stale-after). */
    private boolean closable(long bucket, long now) {
        return endOf(bucket) <= now - staleMs / 2;
    }

    // ---------------------------------------------------------------- writes

    /** One entry, written at {@code timestamp} (see {@link MessageRows#hintTimestamp}), its bucket registered first. */
    CompletableFuture<Void> add(int slot, long fireAt, long id, long timestamp, long now) {
        return addAll(slot, bucketOf(fireAt), List.of(new Entry(fireAt, id)), timestamp, now);
    }

    /** Entries of one bucket, all written at {@code timestamp}, in unlogged batches of one partition. */
    CompletableFuture<Void> addAll(int slot, long bucket, List<Entry> entries, long timestamp, long now) {
        boolean late = closable(bucket, now);
        CompletableFuture<Void> registered = late ? openIfClosed(slot, bucket) : openFast(slot, bucket, now);
        return registered.thenCompose(v -> {
            List<List<Entry>> chunks = new ArrayList<>();
            for (int i = 0; i < entries.size(); i += BATCH) {
                chunks.add(entries.subList(i, Math.min(entries.size(), i + BATCH)));
            }
            return Lanes.map(chunks, lanes, chunk -> {
                List<BatchableStatement<?>> statements = new ArrayList<>(chunk.size());
                for (Entry e : chunk) {
                    statements.add(cql.insertDue.bind(slot, bucket, e.fireAt, e.id, now, timestamp));
                }
                return cql.async(statements.size() == 1 ? cql.plain(cql.insertDue, slot, bucket,
                        chunk.get(0).fireAt, chunk.get(0).id, now, timestamp) : cql.batch(statements));
            });
        }).thenCompose(v -> late ? recheck(slot, bucket) : CompletableFuture.completedFuture(null));
    }

    /** Deletes one entry at {@code timestamp}: it only removes an entry written at that timestamp or before. */
    CompletableFuture<Void> remove(int slot, long fireAt, long id, long timestamp) {
        return cql.async(cql.plain(cql.deleteDue, timestamp, slot, bucketOf(fireAt), fireAt, id)).thenApply(rs -> null);
    }

    private CompletableFuture<Void> openFast(int slot, long bucket, long now) {
        BucketKey key = new BucketKey(slot, bucket);
        if (open.contains(key)) {
            return CompletableFuture.completedFuture(null);
        }
        return cql.async(cql.plain(cql.insertDueBucket, slot, bucket)).thenApply(rs -> {
            if (open.size() >= OPEN_CACHE_LIMIT) {
                open.removeIf(k -> closable(k.bucket, now));
            }
            open.add(key);
            return null;
        });
    }

    private CompletableFuture<Void> openIfClosed(int slot, long bucket) {
        return cql.async(cql.lwt(cql.insertDueBucketIfAbsent, slot, bucket)).thenApply(rs -> null);
    }

    /** The writer's check after its entry: a closer that deleted the registry row meanwhile is undone. */
    private CompletableFuture<Void> recheck(int slot, long bucket) {
        return cql.async(cql.serialRead(cql.selectDueBucket, slot, bucket)).thenCompose(rs ->
                rs.one() != null ? CompletableFuture.completedFuture(null) : openIfClosed(slot, bucket));
    }

    // ---------------------------------------------------------------- scan

    /** See {@link io.hourglass.core.spi.MessageStore#scanScheduled}. Blocking; called on the caller's thread. */
    List<DueEntry> scan(int slot, long from, long to, long afterFireAt, long afterId, int limit, long now) {
        boolean cursorInside = afterFireAt >= from;
        long lowFire = cursorInside ? afterFireAt : from;
        long lowId = cursorInside ? afterId : Long.MIN_VALUE;
        List<DueEntry> out = new ArrayList<>(Math.min(limit, MAX_PAGE));
        List<CompletableFuture<Void>> cleanups = new ArrayList<>();
        try {
            for (long bucket : buckets(slot, bucketOf(lowFire), bucketOf(to - 1))) {
                boolean whole = from <= startOf(bucket) && to >= endOf(bucket)
                        && (!cursorInside || afterFireAt < startOf(bucket));
                boolean inclusive = !cursorInside;
                long fire = lowFire;
                long id = lowId;
                boolean occupied = false;
                while (true) {
                    int want = (int) Math.min(MAX_PAGE, (long) limit - out.size() + 16);
                    List<Candidate> page = readPage(slot, bucket, fire, id, inclusive, to, want);
                    List<Verdict> verdicts = Lanes.map(page, lanes, c -> check(slot, c, now)).join();
                    for (int i = 0; i < page.size(); i++) {
                        Candidate c = page.get(i);
                        Verdict v = verdicts.get(i);
                        if (v.live) {
                            occupied = true;
                            out.add(new DueEntry(c.id, c.fireAt));
                            if (out.size() == limit) {
                                return out;
                            }
                        } else if (v.deleteAt == 0) {
                            occupied = true; // an insert in flight
                        } else {
                            cleanups.add(remove(slot, c.fireAt, c.id, v.deleteAt).exceptionally(e -> {
                                log.debug("stale due entry not deleted [slot={} id={}]", slot, c.id, e);
                                return null;
                            }));
                        }
                    }
                    if (page.size() < want) {
                        break;
                    }
                    Candidate last = page.get(page.size() - 1);
                    fire = last.fireAt;
                    id = last.id;
                    inclusive = false;
                }
                if (whole && !occupied && endOf(bucket) <= now - staleMs) {
                    cleanups.forEach(CompletableFuture::join);
                    cleanups.clear();
                    close(slot, bucket, now);
                }
            }
            return out;
        } finally {
            cleanups.forEach(CompletableFuture::join);
        }
    }

    private List<Long> buckets(int slot, long first, long last) {
        List<Long> buckets = new ArrayList<>();
        for (Row r : cql.sync(cql.plain(cql.selectDueBuckets, slot, first, last))) {
            buckets.add(r.getLong(0));
        }
        return buckets;
    }

    private List<Candidate> readPage(int slot, long bucket, long fire, long id, boolean inclusive, long to, int want) {
        List<Candidate> page = new ArrayList<>(want);
        for (Row r : cql.sync(cql.plain(inclusive ? cql.scanDueFrom : cql.scanDueAfter, slot, bucket, fire, id, to,
                Long.MIN_VALUE, want))) {
            page.add(new Candidate(r.getLong(0), r.getLong(1), r.isNull(2) ? 0 : r.getLong(2)));
        }
        return page;
    }

    /** Live: the row is SCHEDULED in this slot at this fire_at. Otherwise the timestamp to delete the entry at. */
    private CompletableFuture<Verdict> check(int slot, Candidate c, long now) {
        return cql.async(cql.plain(cql.selectMeta, c.id)).thenApply(rs -> verdict(slot, c, rs, now));
    }

    private Verdict verdict(int slot, Candidate c, AsyncResultSet rs, long now) {
        Row r = rs.one();
        if (r == null) {
            // no row: an insert in flight (its entries are written first), or one that failed or was purged
            return c.writtenAt > now - staleMs ? Verdict.IN_FLIGHT : new Verdict(false, MessageRows.GONE_TIMESTAMP);
        }
        MessageRows.Current row = MessageRows.Current.of(r, false);
        if (row.slot() == slot && row.state() == MessageState.SCHEDULED && row.fireAt() == c.fireAt) {
            return Verdict.LIVE;
        }
        return new Verdict(false, MessageRows.hintTimestamp(row.version()));
    }

    /**
     * Closes an empty bucket: deletes its registry row, then reads the bucket again, and opens it again when an entry
     * arrived meanwhile that may be live (the writer's side of the handshake is {@link #recheck}).
     */
    private void close(int slot, long bucket, long now) {
        if (!cql.sync(cql.lwt(cql.deleteDueBucketIfExists, slot, bucket)).wasApplied()) {
            return;
        }
        open.remove(new BucketKey(slot, bucket));
        long fire = Long.MIN_VALUE;
        long id = Long.MIN_VALUE;
        boolean inclusive = true;
        while (true) {
            List<Candidate> page = readPage(slot, bucket, fire, id, inclusive, Long.MAX_VALUE, MAX_PAGE);
            List<Verdict> verdicts = Lanes.map(page, lanes, c -> check(slot, c, now)).join();
            if (verdicts.stream().anyMatch(v -> v.live || v.deleteAt == 0)) {
                cql.sync(cql.lwt(cql.insertDueBucketIfAbsent, slot, bucket));
                return;
            }
            if (page.size() < MAX_PAGE) {
                log.debug("due bucket closed [slot={} bucket={}]", slot, bucket);
                return;
            }
            Candidate last = page.get(page.size() - 1);
            fire = last.fireAt;
            id = last.id;
            inclusive = false;
        }
    }

    /** Groups (fireAt, id) pairs by bucket, buckets in order. */
    Map<Long, List<Entry>> byBucket(List<Entry> entries) {
        Map<Long, List<Entry>> groups = new TreeMap<>();
        for (Entry e : entries) {
            groups.computeIfAbsent(bucketOf(e.fireAt), b -> new ArrayList<>()).add(e);
        }
        return groups;
    }

    record Entry(long fireAt, long id) {
    }

    private record BucketKey(int slot, long bucket) {
    }

    private record Candidate(long fireAt, long id, long writtenAt) {
    }

    /** {@code live}, or the timestamp to delete a stale entry at (0: leave it, its insert may be in flight). */
    private record Verdict(boolean live, long deleteAt) {
        static final Verdict LIVE = new Verdict(true, 0);
        static final Verdict IN_FLIGHT = new Verdict(false, 0);
    }
}
