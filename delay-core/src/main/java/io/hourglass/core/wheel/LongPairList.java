package io.hourglass.core.wheel;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * A growable list of (fireAt, id) pairs stored interleaved in one {@code long[]}: 16 bytes a pair plus at most
 * 50 % growth slack, and no object per entry. Not thread-safe.
 */
final class LongPairList {
    private static final int INITIAL_PAIRS = 8;
    private long[] data;
    private int size; // pairs

    void add(long fireAt, long id) {
        if (data == null) {
            data = new long[INITIAL_PAIRS * 2];
        } else if (size * 2 == data.length) {
            int pairs = size + (size >> 1);
            data = Arrays.copyOf(data, pairs * 2);
        }
        data[size * 2] = fireAt;
        data[size * 2 + 1] = id;
        size++;
    }

    int size() {
        return size;
    }

    long fireAt(int i) {
        return data[i * 2];
    }

    long id(int i) {
        return data[i * 2 + 1];
    }

    /** Removes the pairs whose id matches, keeping order. Returns how many were removed. */
    int removeIf(LongPredicate idMatches) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long f = data[i * 2];
            long id = data[i * 2 + 1];
            if (!idMatches.test(id)) {
                data[kept * 2] = f;
                data[kept * 2 + 1] = id;
                kept++;
            }
        }
        int removed = size - kept;
        size = kept;
        return removed;
    }

    void forEach(DueSink sink) {
        for (int i = 0; i < size; i++) {
            sink.accept(data[i * 2], data[i * 2 + 1]);
        }
    }

    /** Heap bytes held by the backing array (for the memory benchmark). */
    long capacityBytes() {
        return data == null ? 0 : 16L + data.length * 8L;
    }
}
