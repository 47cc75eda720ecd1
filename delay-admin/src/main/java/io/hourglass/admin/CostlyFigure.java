package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A figure that costs a pass over the store (the overview's pending and state counts: seconds with millions of
 * messages). The first caller computes it; after that every caller is answered at once with the last value, and a
 * stale value is recomputed in the background — one pass at a time, and no sooner than {@code minAgeMs} nor than
 * {@value #COST_FACTOR} times as long as the last pass took after it ended. So a console left open on the overview
 * keeps the store busy at most a tenth of the time, and never makes a request wait for a pass but the very first.
 */
final class CostlyFigure<T> {

    static final int COST_FACTOR = 10;
    private static final Logger log = LoggerFactory.getLogger(CostlyFigure.class);

    private final String name;
    private final Supplier<T> compute;
    private final DelayClock clock;
    private final Executor refresher;
    private final long minAgeMs;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Computed<T> last;

    private record Computed<T>(T value, long at, long tookMs) {
    }

    CostlyFigure(String name, Supplier<T> compute, DelayClock clock, Executor refresher, long minAgeMs) {
        this.name = name;
        this.compute = compute;
        this.clock = clock;
        this.refresher = refresher;
        this.minAgeMs = minAgeMs;
    }

    T get() {
        Computed<T> current = last;
        if (current == null) {
            synchronized (this) {
                if (last == null) {
                    last = computeNow();
                }
                return last.value();
            }
        }
        long age = clock.now() - current.at();
        if (age >= Math.max(minAgeMs, COST_FACTOR * current.tookMs()) && refreshing.compareAndSet(false, true)) {
            try {
                refresher.execute(this::refresh);
            } catch (RejectedExecutionException e) {
                refreshing.set(false); // shutting down: the last value will do
            }
        }
        return last.value(); // the fresh value when the refresher ran on this thread, else the last one
    }

    private void refresh() {
        try {
            last = computeNow();
        } catch (RuntimeException e) {
            log.warn("Refreshing the admin figure '{}' failed (the last value is kept): {}", name, e.toString());
        } finally {
            refreshing.set(false);
        }
    }

    private Computed<T> computeNow() {
        long start = clock.now();
        T value = compute.get();
        long end = clock.now();
        return new Computed<>(value, end, Math.max(0, end - start));
    }
}
