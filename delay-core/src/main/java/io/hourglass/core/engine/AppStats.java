package io.hourglass.core.engine;

import io.hourglass.core.model.AppStatPoint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-app counts of this server since the last {@link #drain}: submitted, fired, dead. The engine adds to them on
 * its hot paths (one map lookup and an adder per message); the admin side drains them into the store's 10-minute
 * buckets, where every server's deltas add up. Bounded by the number of apps that submitted or fired since the last
 * drain.
 */
public final class AppStats {

    private final ConcurrentHashMap<String, Counts> counts = new ConcurrentHashMap<>();

    private static final class Counts {
        final LongAdder submitted = new LongAdder();
        final LongAdder fired = new LongAdder();
        final LongAdder dead = new LongAdder();
    }

    void submitted(String appKey) {
        of(appKey).submitted.increment();
    }

    void fired(String appKey) {
        of(appKey).fired.increment();
    }

    void dead(String appKey) {
        of(appKey).dead.increment();
    }

    private Counts of(String appKey) {
        Counts c = counts.get(appKey);
        return c != null ? c : counts.computeIfAbsent(appKey, k -> new Counts());
    }

    /**
     * Takes what was counted since the last drain, as deltas of the bucket holding {@code now}; apps with nothing
     * counted are left out (and forgotten).
     */
    public List<AppStatPoint> drain(long now) {
        long bucket = AppStatPoint.bucketOf(now);
        List<AppStatPoint> deltas = new ArrayList<>();
        for (String appKey : counts.keySet()) {
            Counts c = counts.remove(appKey);
            if (c == null) {
                continue;
            }
            long s = c.submitted.sumThenReset();
            long f = c.fired.sumThenReset();
            long d = c.dead.sumThenReset();
            if (s + f + d > 0) {
                deltas.add(new AppStatPoint(appKey, bucket, s, f, d));
            }
        }
        return deltas;
    }

    /** Puts back deltas that could not be stored, so the next drain carries them. */
    public void restore(List<AppStatPoint> deltas) {
        for (AppStatPoint p : deltas) {
            Counts c = of(p.appKey());
            c.submitted.add(p.submitted());
            c.fired.add(p.fired());
            c.dead.add(p.dead());
        }
    }
}
