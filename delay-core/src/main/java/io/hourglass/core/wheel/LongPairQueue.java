package io.hourglass.core.wheel;

/** A growable FIFO ring of (fireAt, id) pairs in one {@code long[]}. Not thread-safe. */
final class LongPairQueue {
    private long[] data = new long[64];
    private int head; // pair index
    private int size; // pairs

    void add(long fireAt, long id) {
        int capacity = data.length / 2;
        if (size == capacity) {
            long[] bigger = new long[data.length * 2];
            for (int i = 0; i < size; i++) {
                int from = ((head + i) % capacity) * 2;
                bigger[i * 2] = data[from];
                bigger[i * 2 + 1] = data[from + 1];
            }
            data = bigger;
            head = 0;
            capacity = data.length / 2;
        }
        int at = ((head + size) % capacity) * 2;
        data[at] = fireAt;
        data[at + 1] = id;
        size++;
    }

    int size() {
        return size;
    }

    /** Moves up to {@code max} pairs into {@code fireAts}/{@code ids}; returns how many. */
    int poll(long[] fireAts, long[] ids, int max) {
        int capacity = data.length / 2;
        int n = Math.min(max, size);
        for (int i = 0; i < n; i++) {
            int at = head * 2;
            fireAts[i] = data[at];
            ids[i] = data[at + 1];
            head = (head + 1) % capacity;
        }
        size -= n;
        if (size == 0) {
            head = 0;
            if (data.length > 1 << 16) {
                data = new long[64]; // give a burst's memory back
            }
        }
        return n;
    }

    int removeIf(java.util.function.LongPredicate idMatches) {
        int capacity = data.length / 2;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int from = ((head + i) % capacity) * 2;
            long f = data[from];
            long id = data[from + 1];
            if (!idMatches.test(id)) {
                int to = ((head + kept) % capacity) * 2;
                data[to] = f;
                data[to + 1] = id;
                kept++;
            }
        }
        int removed = size - kept;
        size = kept;
        return removed;
    }

    void drainTo(DueSink sink) {
        int capacity = data.length / 2;
        for (int i = 0; i < size; i++) {
            int at = ((head + i) % capacity) * 2;
            sink.accept(data[at], data[at + 1]);
        }
        size = 0;
        head = 0;
    }
}
