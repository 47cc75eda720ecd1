package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.spi.SubmitRateLimiter;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SubmitRateLimiter} of one server: a token bucket per app in memory, on the injected clock. Only apps that
 * passed authentication and have a rate quota get a bucket, so the map is bounded by the number of apps.
 */
public final class LocalSubmitRateLimiter implements SubmitRateLimiter {

    private final DelayClock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public LocalSubmitRateLimiter(DelayClock clock) {
        this.clock = clock;
    }

    @Override
    public long tryAcquire(String appKey, long perSecond, int permits) {
        Bucket bucket = buckets.computeIfAbsent(appKey, k -> new Bucket());
        synchronized (bucket) {
            return bucket.tryTake(clock.now(), perSecond, permits);
        }
    }

    /** Tokens in thousandths, so rates below 1000/s refill smoothly at ms resolution. */
    private static final class Bucket {
        private long milliTokens = -1;
        private long refilledAt;

        long tryTake(long now, long perSecond, int permits) {
            long capacity = Math.min(perSecond, Long.MAX_VALUE / 1000) * 1000;
            if (milliTokens < 0) {
                milliTokens = capacity;
                refilledAt = now;
            }
            long elapsed = Math.max(0, now - refilledAt);
            refilledAt = Math.max(refilledAt, now);
            // perSecond tokens per 1000 ms = perSecond milli-tokens per ms
            long added = elapsed > 0 && perSecond > Long.MAX_VALUE / elapsed ? Long.MAX_VALUE : elapsed * perSecond;
            milliTokens = added > capacity - milliTokens ? capacity : milliTokens + added;
            long needed = (long) permits * 1000;
            if (needed > capacity) {
                return 1000; // more than a second's worth at once: never (the caller reports it as over quota)
            }
            if (milliTokens >= needed) {
                milliTokens -= needed;
                return 0;
            }
            return Math.max(1, (needed - milliTokens + perSecond - 1) / perSecond);
        }
    }
}
