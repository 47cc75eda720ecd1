package io.hourglass.bench;

import org.HdrHistogram.Histogram;

/**
 * Latency or lateness samples in an HdrHistogram (3 significant digits: values below 2,048 are exact, larger ones
 * within 0.1 %), with nearest-rank percentiles. Lateness can be negative (an early record), which a histogram
 * cannot hold: negative values go, negated, into a second histogram that is only made when one comes.
 * Not thread-safe: keep one per thread and {@link #addAll merge} them at the end.
 */
final class Samples {

    private static final int DIGITS = 3;

    private final Histogram values = new Histogram(DIGITS); // auto-resizing: any non-negative long
    private Histogram negated;

    void add(long value) {
        if (value >= 0) {
            values.recordValue(value);
        } else {
            negatives().recordValue(-value);
        }
    }

    void addAll(Samples other) {
        values.add(other.values);
        if (other.negated != null) {
            negatives().add(other.negated);
        }
    }

    long size() {
        return values.getTotalCount() + negativeCount();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /**
     * The nearest-rank percentile: the smallest sample such that at least {@code p} % of the samples are at or
     * below it ({@code p} in (0, 100]; 100 is the maximum), as the histogram's bucket holding it reports it.
     *
     * @throws IllegalStateException when there are no samples
     */
    long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        requireSamples();
        long below = negativeCount();
        if (below == 0) {
            return values.getValueAtPercentile(p);
        }
        // the rank over both histograms; the epsilon keeps 99.9 % of 1,000 at rank 999 despite doubles
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * size() - 1e-9));
        if (rank > below) {
            return values.getValueAtPercentile(100.0 * (rank - below) / values.getTotalCount());
        }
        // the rank-th smallest negative value is the (below - rank + 1)-th smallest of the negated ones
        return -negated.getValueAtPercentile(100.0 * (below - rank + 1) / below);
    }

    long min() {
        requireSamples();
        return negativeCount() > 0 ? -negated.getMaxValue() : values.getMinValue();
    }

    long max() {
        requireSamples();
        return values.getTotalCount() > 0 ? values.getMaxValue() : -negated.getMinValue();
    }

    private long negativeCount() {
        return negated == null ? 0 : negated.getTotalCount();
    }

    private Histogram negatives() {
        if (negated == null) {
            negated = new Histogram(DIGITS);
        }
        return negated;
    }

    private void requireSamples() {
        if (isEmpty()) {
            throw new IllegalStateException("no samples");
        }
    }
}
