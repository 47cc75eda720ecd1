package io.hourglass.core.wheel;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * A growable list of (fireAt, id) pairs stored interleaved in {@code long[]} chunks: 16 bytes a pair and no object
 * per entry. The first chunk doubles from 8 pairs up to {@value #CHUNK_PAIRS}; after that the list grows by whole
 * chunks of 16 KiB, so a bucket of a million entries never copies itself and never allocates an array large enough
 * to be a G1 "humongous" object (which rounds up to whole heap regions). Not thread-safe.
 */
final class LongPairList {
    private static final int SHIFT = 10;
    static final int CHUNK_PAIRS = 1 << SHIFT;
    private static final int MASK = CHUNK_PAIRS - 1;
    private static final int INITIAL_PAIRS = 8;

    private long[][] chunks;
    private int size; // pairs

    void add(long fireAt, long id) {
        int c = size >>> SHIFT;
        int at = (size & MASK) << 1;
        if (chunks == null) {
            chunks = new long[4][];
            chunks[0] = new long[INITIAL_PAIRS * 2];
        } else if (c == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        long[] chunk = chunks[c];
        if (chunk == null) {
            chunk = new long[CHUNK_PAIRS * 2];
            chunks[c] = chunk;
        } else if (at == chunk.length) { // only the first chunk grows in place
            chunk = Arrays.copyOf(chunk, Math.min(chunk.length * 2, CHUNK_PAIRS * 2));
            chunks[c] = chunk;
        }
        chunk[at] = fireAt;
        chunk[at + 1] = id;
        size++;
    }

    int size() {
        return size;
    }

    long fireAt(int i) {
        return chunks[i >>> SHIFT][(i & MASK) << 1];
    }

    long id(int i) {
        return chunks[i >>> SHIFT][((i & MASK) << 1) + 1];
    }

    /** Removes the pairs whose id matches, keeping order. Returns how many were removed. */
    int removeIf(LongPredicate idMatches) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long f = fireAt(i);
            long id = id(i);
            if (!idMatches.test(id)) {
                long[] chunk = chunks[kept >>> SHIFT];
                int at = (kept & MASK) << 1;
                chunk[at] = f;
                chunk[at + 1] = id;
                kept++;
            }
        }
        int removed = size - kept;
        size = kept;
        if (chunks != null) {
            int needed = Math.max(1, (kept + MASK) >>> SHIFT);
            for (int c = needed; c < chunks.length; c++) {
                chunks[c] = null; // give emptied chunks back
            }
        }
        return removed;
    }

    void forEach(DueSink sink) {
        for (int i = 0; i < size; i++) {
            sink.accept(fireAt(i), id(i));
        }
    }

    /** Heap bytes held by the chunks (for the memory benchmark). */
    long capacityBytes() {
        if (chunks == null) {
            return 0;
        }
        long bytes = 16L + chunks.length * 4L;
        for (long[] chunk : chunks) {
            if (chunk != null) {
                bytes += 16L + chunk.length * 8L;
            }
        }
        return bytes;
    }
}
