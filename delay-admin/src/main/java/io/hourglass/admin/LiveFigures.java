package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.DelayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This server's figures over the last minute, for the console's live page. Each {@link #sample} reads the engine's
 * meters (the counters fired, accepted, retried, dead and early, and the cumulative buckets of the lateness timer)
 * and its per-topic fired counts, and keeps the last {@value #SAMPLES}; {@link #live} answers the differences
 * between the oldest and the newest kept: with a sample every 5 s ({@link AdminSampler}), one minute. Before two
 * samples exist the window is what has been seen (none: 0 s, every rate 0). Owns no thread and reads the time only
 * from the {@link DelayClock}, so tests step it by hand.
 *
 * <p>The lateness buckets are cumulative since start in the Prometheus registry (the packaged server's). A registry
 * that decays its histograms (Micrometer's others, over 2 minutes) may lower a bucket between two samples: such a
 * difference counts as 0, so the window's histogram then undercounts, never goes negative.
 */
public final class LiveFigures {

    /** Samples kept: 12 intervals of {@value AdminSampler#PERIOD_SECONDS} s. */
    static final int SAMPLES = 13;

    /**
     * One bucket of the window's lateness histogram: how many fired with a lateness above the previous bucket's bound
     * and at most {@code leMs} (null: above the last bound).
     */
    public record Bucket(Long leMs, long count) {
    }

    /**
     * The answer of {@code GET /admin/api/v1/live}.
     *
     * @param emitFailures      emits that failed in the window (retried, or given up: dead)
     * @param dead              messages given up in the window
     * @param earlyTotal        messages emitted before their due time since start (must be 0)
     * @param latenessP50Ms     the upper bound of the bucket holding the median lateness in the window, null when
     *                          nothing fired in it (beyond the timer's last bucket, 10 min: that bound)
     * @param latenessHistogram per bucket (not cumulative), {@code leMs} null for above the last bound
     */
    public record Live(String nodeId, long sampledAt, long windowSeconds, double firedPerSecond,
                       double acceptedPerSecond, long emitFailures, long dead, long earlyTotal, Double latenessP50Ms,
                       Double latenessP99Ms, List<Bucket> latenessHistogram, Map<String, Double> firedPerSecondByTopic) {
    }

    /** One reading: counter values, the lateness timer's bounds (ms) and cumulative counts, per-topic counts. */
    private record Sample(long at, long fired, long accepted, long retried, long dead, long early, double[] boundsMs,
                          long[] cumulative, long latenessCount, Map<String, Long> firedByTopic) {
    }

    private final MeterRegistry registry;
    private final Supplier<Map<String, Long>> firedByTopic;
    private final DelayClock clock;
    private final String nodeId;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>(SAMPLES); // guarded by this

    /**
     * @param registry     the registry the engine's meters are in
     * @param firedByTopic the engine's per-topic fired counts since start
     */
    public LiveFigures(MeterRegistry registry, Supplier<Map<String, Long>> firedByTopic, DelayClock clock,
                       String nodeId) {
        this.registry = registry;
        this.firedByTopic = firedByTopic;
        this.clock = clock;
        this.nodeId = nodeId;
    }

    /** Takes a sample now, dropping the oldest beyond {@value #SAMPLES}. */
    public void sample() {
        Sample s = read();
        synchronized (this) {
            if (samples.size() == SAMPLES) {
                samples.removeFirst();
            }
            samples.addLast(s);
        }
    }

    /** The figures between the oldest and the newest sample (none yet: a reading now, over 0 s). */
    public Live live() {
        Sample first;
        Sample last;
        synchronized (this) {
            first = samples.peekFirst();
            last = samples.peekLast();
        }
        if (first == null) {
            first = last = read();
        }
        long windowMs = last.at() - first.at();
        long[] cumulative = new long[last.cumulative().length]; // the window's, by bucket of the newest sample
        for (int i = 0; i < cumulative.length; i++) {
            long before = first.cumulative().length == cumulative.length ? first.cumulative()[i] : 0;
            cumulative[i] = Math.max(0, last.cumulative()[i] - before);
        }
        long recorded = Math.max(0, last.latenessCount() - first.latenessCount());
        long retried = last.retried() - first.retried();
        long dead = last.dead() - first.dead();
        return new Live(nodeId, last.at(), Math.round(windowMs / 1000.0), rate(last.fired() - first.fired(), windowMs),
                rate(last.accepted() - first.accepted(), windowMs), retried + dead, dead, last.early(),
                quantile(0.5, last.boundsMs(), cumulative, recorded), quantile(0.99, last.boundsMs(), cumulative, recorded),
                readable(last.boundsMs(), cumulative, recorded), byTopic(first, last, windowMs));
    }

    private Sample read() {
        long[] cumulative = new long[0];
        double[] bounds = new double[0];
        long count = 0;
        Timer lateness = registry.find("hourglass.fire.lateness").timer();
        if (lateness != null) {
            HistogramSnapshot h = lateness.takeSnapshot();
            CountAtBucket[] buckets = h.histogramCounts();
            cumulative = new long[buckets.length];
            bounds = new double[buckets.length];
            for (int i = 0; i < buckets.length; i++) {
                bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
                cumulative[i] = (long) buckets[i].count();
            }
            count = h.count();
        }
        return new Sample(clock.now(), counted("hourglass.messages.fired"), counted("hourglass.messages.accepted"),
                counted("hourglass.messages.retried"), counted("hourglass.messages.dead"),
                counted("hourglass.messages.early"), bounds, cumulative, count, Map.copyOf(firedByTopic.get()));
    }

    private long counted(String name) {
        double sum = 0;
        for (Counter c : registry.find(name).counters()) {
            sum += c.count();
        }
        return Math.round(sum);
    }

    private static double rate(long delta, long windowMs) {
        return windowMs <= 0 ? 0 : Math.round(delta * 1_000_000.0 / windowMs) / 1000.0; // per second, 3 decimals
    }

    /**
     * The upper bound (ms) of the first bucket whose cumulative count reaches the quantile's rank; the last bound when
     * the rank lies beyond it; null when nothing was recorded.
     */
    private static Double quantile(double q, double[] boundsMs, long[] cumulative, long recorded) {
        if (recorded == 0 || boundsMs.length == 0) {
            return null;
        }
        long rank = (long) Math.ceil(q * recorded);
        int i = 0;
        while (i < boundsMs.length - 1 && cumulative[i] < rank) {
            i++;
        }
        return Math.round(boundsMs[i] * 1000) / 1000.0;
    }

    /**
     * Micrometer's many buckets merged into {@link DelayMetrics#LATENESS_BOUNDS} (bounds of the timer too, so the
     * count up to each is exact) and one above them: per bucket, not cumulative.
     */
    private static List<Bucket> readable(double[] boundsMs, long[] cumulative, long recorded) {
        List<Bucket> out = new ArrayList<>(DelayMetrics.LATENESS_BOUNDS.size() + 1);
        long below = 0;
        for (Duration bound : DelayMetrics.LATENESS_BOUNDS) {
            long upTo = below;
            for (int i = 0; i < boundsMs.length && boundsMs[i] <= bound.toMillis(); i++) {
                upTo = Math.max(upTo, cumulative[i]);
            }
            out.add(new Bucket(bound.toMillis(), upTo - below));
            below = upTo;
        }
        out.add(new Bucket(null, Math.max(0, recorded - below)));
        return out;
    }

    /** Fired per second by topic in the window, topics that fired any, fastest first. */
    private static Map<String, Double> byTopic(Sample first, Sample last, long windowMs) {
        Map<String, Double> rates = new LinkedHashMap<>();
        last.firedByTopic().entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - first.firedByTopic().getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> rates.put(e.getKey(), rate(e.getValue(), windowMs)));
        return rates;
    }
}
