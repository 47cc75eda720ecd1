package io.hourglass.redis;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.spi.SubmitRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.redisson.api.RFuture;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateLimiterConfig;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SubmitRateLimiter} of a whole cluster: one Redisson {@link RRateLimiter} per app ({@code <prefix>:rate:<app>},
 * {@link RateType#OVERALL}: shared by every server), admitting the app's rate per second.
 *
 * <p><b>Semantics.</b> Redisson's limiter is a sliding window rather than {@code LocalSubmitRateLimiter}'s token
 * bucket: at most {@code perSecond} permits are taken in any second, and a permit comes back one second after it was
 * taken. Both start full (a burst of one second's worth) and both refuse, without taking anything, a request for
 * more than a second's worth at once (answered here without a round trip). The window runs on the callers' clocks
 * (Redisson stamps each permit with the client's time), so keep the servers' clocks in step (NTP).
 *
 * <p><b>Rate changes.</b> The first check of an app on this server creates its limiter if absent; when the rate
 * seen here differs from the last one seen, the stored rate is compared and, if different, replaced
 * ({@code setRate}, which also empties the window: a changed quota starts with a fresh second). A server with a stale
 * copy of the app may flip it back until the app caches agree (the change bus, or the cache TTL). The limiter's keys
 * expire after {@link #KEEP_ALIVE} without a check (a deleted app leaves nothing behind); a check after that recreates
 * them.
 *
 * <p><b>Failures.</b> A check never waits more than {@code timeout} for Redis and never fails a submit: when Redis
 * does not answer (down, unreachable, too slow), the check is answered by this server's own {@code fallback} limiter
 * and counted in {@value #FALLBACKS}, so that an outage turns the quota into a per-server one for its duration. After
 * a failure the following checks go straight to the fallback, and one check per {@link #PROBE_INTERVAL} tries Redis
 * again; the first one that succeeds ends the outage. One WARN when an outage starts, one INFO when it ends.
 *
 * <p>Thread-safe; calls may come from any number of threads.
 */
public final class RedisSubmitRateLimiter implements SubmitRateLimiter {

    /** Counter of the checks answered by the per-server fallback because Redis failed. */
    public static final String FALLBACKS = "hourglass.redis.rate.limiter.fallbacks";
    /** The window of every app's limiter. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** How long the keys of an app's limiter stay in Redis after its last check. */
    static final Duration KEEP_ALIVE = Duration.ofDays(1);
    /** During an outage, how often one check tries Redis again. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(RedisSubmitRateLimiter.class);

    private final RedissonClient redisson;
    private final String namePrefix;
    private final long timeoutMillis;
    private final SubmitRateLimiter fallback;
    private final DelayClock clock;
    private final Counter fallbacks;
    /** The rate this server last made sure Redis holds, by app. */
    private final ConcurrentHashMap<String, Long> knownRates = new ConcurrentHashMap<>();
    private final AtomicBoolean outage = new AtomicBoolean();
    /** During an outage: when the next check may try Redis. */
    private final AtomicLong nextProbeAt = new AtomicLong();

    /**
     * @param namePrefix prefix of the limiters' names ({@code hourglass:rate:}); the app key follows
     * @param timeout    longest wait for Redis in one check
     * @param fallback   answers the checks while Redis fails (the per-server {@code LocalSubmitRateLimiter})
     * @param clock      times the probes during an outage
     */
    public RedisSubmitRateLimiter(RedissonClient redisson, String namePrefix, Duration timeout,
                                  SubmitRateLimiter fallback, DelayClock clock, MeterRegistry registry) {
        this.redisson = redisson;
        this.namePrefix = namePrefix;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.fallback = fallback;
        this.clock = clock;
        this.fallbacks = Counter.builder(FALLBACKS)
                .description("Submit-rate checks answered by this server alone because Redis failed")
                .register(registry);
    }

    @Override
    public long tryAcquire(String appKey, long perSecond, int permits) {
        if (permits > perSecond) {
            return 1000; // more than a second's worth at once: never (Redisson would refuse it with an error)
        }
        if (outage.get()) {
            long now = clock.now();
            long probeAt = nextProbeAt.get();
            if (now < probeAt || !nextProbeAt.compareAndSet(probeAt, now + PROBE_INTERVAL.toMillis())) {
                return locally(appKey, perSecond, permits);
            }
            // this caller probes Redis; the others keep to the fallback meanwhile
        }
        try {
            boolean taken = acquire(appKey, perSecond, permits);
            if (outage.compareAndSet(true, false)) {
                log.info("Redis answers again: the submit-rate quota is cluster-wide again");
            }
            return taken ? 0 : waitEstimate(perSecond, permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return locally(appKey, perSecond, permits);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            nextProbeAt.set(clock.now() + PROBE_INTERVAL.toMillis());
            if (outage.compareAndSet(false, true)) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                log.warn("[app={}] Redis failed the submit-rate check ({}): each server limits submits on its own"
                        + " until Redis answers again", appKey, cause.toString());
            }
            return locally(appKey, perSecond, permits);
        }
    }

    private long locally(String appKey, long perSecond, int permits) {
        fallbacks.increment();
        return fallback.tryAcquire(appKey, perSecond, permits);
    }

    private boolean acquire(String appKey, long perSecond, int permits)
            throws InterruptedException, ExecutionException, TimeoutException {
        RRateLimiter limiter = redisson.getRateLimiter(namePrefix + appKey);
        Long known = knownRates.get(appKey);
        if (known == null || known != perSecond) {
            configure(limiter, perSecond);
            knownRates.put(appKey, perSecond);
        }
        try {
            return await(limiter.tryAcquireAsync(permits));
        } catch (ExecutionException e) {
            if (causedBy(e, "cannot exceed defined rate")) {
                // another server, with another copy of the app, stored a lower rate meanwhile: refused; look again
                knownRates.remove(appKey);
                return false;
            }
            if (!causedBy(e, "RateLimiter is not initialized")) {
                throw e;
            }
            // its keys expired (KEEP_ALIVE without a check) or were deleted: create it again
            configure(limiter, perSecond);
            return await(limiter.tryAcquireAsync(permits));
        }
    }

    /** Makes sure Redis holds {@code perSecond} per {@link #INTERVAL} for this limiter. */
    private void configure(RRateLimiter limiter, long perSecond)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (await(limiter.trySetRateAsync(RateType.OVERALL, perSecond, INTERVAL, KEEP_ALIVE))) {
            return;
        }
        RateLimiterConfig stored = await(limiter.getConfigAsync());
        if (stored.getRate() == null || stored.getRate() != perSecond
                || stored.getRateInterval() == null || stored.getRateInterval() != INTERVAL.toMillis()
                || stored.getRateType() != RateType.OVERALL) {
            await(limiter.setRateAsync(RateType.OVERALL, perSecond, INTERVAL, KEEP_ALIVE));
        }
    }

    private <T> T await(RFuture<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Whether Redis refused the command with an error (of Redisson's script) that says {@code text}. */
    private static boolean causedBy(ExecutionException e, String text) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** About how long until {@code permits} could be taken: the time the rate needs for them, 1..1000 ms. */
    static long waitEstimate(long perSecond, int permits) {
        return Math.max(1, Math.min(1000, (permits * 1000L + perSecond - 1) / perSecond));
    }
}
