package io.hourglass.core.wheel;

import java.util.function.LongPredicate;

/**
 * A hierarchical timing wheel with millisecond resolution (Varghese &amp; Lauck, "Hashed and hierarchical timing
 * wheels", 1987), holding (fireAt, id) pairs as primitives.
 *
 * <p>Single-threaded and passive: it owns no thread and never reads a clock. The caller moves time forward with
 * {@link #advance(long, DueSink)}; every entry whose {@code fireAt <= now} is handed to the sink, none earlier.
 *
 * <p>Layout: level {@code i} has {@code 2^BITS[i]} buckets of {@code 2^SHIFT[i]} ms each, and each level's tick is
 * the span of the level below: 1 ms x 1024 (1 s), 1.024 s x 64 (65 s), 65 s x 64 (70 min), 70 min x 64 (74 h),
 * 74 h x 64 (199 days); later times wait in an overflow list that is re-examined at every top-level tick.
 * An entry goes to the lowest level whose span exceeds its distance from now, in the bucket of its own tick
 * {@code T = fireAt >>> SHIFT[i]}; because the distance is at least one tick of that level and less than its span,
 * {@code T} lies in {@code (nowTick, nowTick + buckets]}, so the bucket is next processed exactly when time enters
 * tick {@code T} — never after {@code fireAt}. Processing a bucket hands out what is due and re-files the rest one
 * level down (cascading). Cancelled or rescheduled messages are not removed: the store's conditional claim turns
 * their stale entries into no-ops, which keeps the wheel free of per-entry objects.
 */
public final class TimingWheel {

    private static final int[] SHIFT = {0, 10, 16, 22, 28};
    private static final int[] BITS = {10, 6, 6, 6, 6};
    private static final int LEVELS = SHIFT.length;

    private final LongPairList[][] buckets = new LongPairList[LEVELS][];
    private LongPairList overflow = new LongPairList();
    private long time;
    private int size;

    /** A wheel whose current time is {@code now}: entries at or before it are due at once. */
    public TimingWheel(long now) {
        this.time = now;
        for (int i = 0; i < LEVELS; i++) {
            buckets[i] = new LongPairList[1 << BITS[i]];
        }
    }

    /** Entries held (not yet due). */
    public int size() {
        return size;
    }

    /**
     * Files an entry.
     *
     * @return {@code false} when {@code fireAt <= time()}: the entry is already due and was not taken
     */
    public boolean schedule(long fireAt, long id) {
        if (fireAt <= time) {
            return false;
        }
        place(fireAt, id);
        size++;
        return true;
    }

    /** Moves time forward to {@code now}, handing every entry with {@code fireAt <= now} to {@code sink}. */
    public void advance(long now, DueSink sink) {
        if (now <= time) {
            return;
        }
        long previous = time;
        time = now;
        for (int level = 0; level < LEVELS; level++) {
            long previousTicks = previous >>> SHIFT[level];
            long currentTicks = now >>> SHIFT[level];
            if (currentTicks == previousTicks) {
                break; // higher levels have coarser ticks: unchanged too
            }
            int count = 1 << BITS[level];
            long passed = currentTicks - previousTicks;
            int toProcess = passed >= count ? count : (int) passed;
            for (int j = 1; j <= toProcess; j++) {
                processBucket(level, (int) ((previousTicks + j) & (count - 1)), sink);
            }
            if (level == LEVELS - 1 && overflow.size() > 0) {
                LongPairList parked = overflow;
                overflow = new LongPairList();
                refile(parked, sink);
            }
        }
    }

    /** Removes every entry whose id matches (e.g. the ids of slots this server lost). Returns how many. */
    public int removeIf(LongPredicate idMatches) {
        int removed = overflow.removeIf(idMatches);
        for (LongPairList[] level : buckets) {
            for (LongPairList bucket : level) {
                if (bucket != null) {
                    removed += bucket.removeIf(idMatches);
                }
            }
        }
        size -= removed;
        return removed;
    }

    /** Hands every entry to {@code sink} and empties the wheel (e.g. on close). */
    public void drainAll(DueSink sink) {
        for (LongPairList[] level : buckets) {
            for (int i = 0; i < level.length; i++) {
                if (level[i] != null) {
                    level[i].forEach(sink);
                    level[i] = null;
                }
            }
        }
        overflow.forEach(sink);
        overflow = new LongPairList();
        size = 0;
    }

    /** Heap bytes held by bucket arrays, for the memory benchmark. */
    public long bucketBytes() {
        long bytes = overflow.capacityBytes();
        for (LongPairList[] level : buckets) {
            for (LongPairList bucket : level) {
                if (bucket != null) {
                    bytes += bucket.capacityBytes();
                }
            }
        }
        return bytes;
    }

    private void processBucket(int level, int index, DueSink sink) {
        LongPairList bucket = buckets[level][index];
        if (bucket == null) {
            return;
        }
        buckets[level][index] = null; // detached: re-filed entries go to fresh buckets
        refile(bucket, sink);
    }

    private void refile(LongPairList entries, DueSink sink) {
        for (int i = 0, n = entries.size(); i < n; i++) {
            long fireAt = entries.fireAt(i);
            long id = entries.id(i);
            if (fireAt <= time) {
                size--;
                sink.accept(fireAt, id);
            } else {
                place(fireAt, id);
            }
        }
    }

    private void place(long fireAt, long id) {
        long delta = fireAt - time;
        for (int level = 0; level < LEVELS; level++) {
            if (delta < (1L << (SHIFT[level] + BITS[level]))) {
                int index = (int) ((fireAt >>> SHIFT[level]) & ((1 << BITS[level]) - 1));
                LongPairList bucket = buckets[level][index];
                if (bucket == null) {
                    bucket = new LongPairList();
                    buckets[level][index] = bucket;
                }
                bucket.add(fireAt, id);
                return;
            }
        }
        overflow.add(fireAt, id);
    }
}
