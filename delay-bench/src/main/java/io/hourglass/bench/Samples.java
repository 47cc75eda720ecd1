package io.hourglass.bench;

import java.util.Arrays;

/**
 * A growable list of {@code long} samples (latencies, lateness) with nearest-rank percentiles.
 * Not thread-safe: keep one per thread and {@link #addAll merge} them at the end.
 */
final class Samples {

    private long[] data;
    private int size;
    private boolean sorted = true;

    Samples() {
        this(1024);
    }

    Samples(int initialCapacity) {
        data = new long[Math.max(16, initialCapacity)];
    }

    void add(long value) {
        if (size == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        if (size > 0 && value < data[size - 1]) {
            sorted = false;
        }
        data[size++] = value;
    }

    void addAll(Samples other) {
        for (int i = 0; i < other.size; i++) {
            add(other.data[i]);
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * The nearest-rank percentile: the smallest sample such that at least {@code p} % of the samples are at or
     * below it ({@code p} in (0, 100]; 100 is the maximum).
     *
     * @throws IllegalStateException when there are no samples
     */
    long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        sort();
        // 1-based rank; the epsilon keeps 99.9 % of 1,000 at rank 999 (0.999 * 1000 is 999.0000000000001 in doubles)
        int rank = (int) Math.ceil(p / 100.0 * size - 1e-9);
        return data[Math.max(rank, 1) - 1];
    }

    long min() {
        return percentileOrThrow(0);
    }

    long max() {
        return percentile(100);
    }

    double mean() {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += data[i];
        }
        return sum / size;
    }

    /** How many samples are strictly below {@code bound}. */
    int countBelow(long bound) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (data[i] < bound) {
                n++;
            }
        }
        return n;
    }

    private long percentileOrThrow(int index) {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        sort();
        return data[index];
    }

    private void sort() {
        if (!sorted) {
            Arrays.sort(data, 0, size);
            sorted = true;
        }
    }
}
