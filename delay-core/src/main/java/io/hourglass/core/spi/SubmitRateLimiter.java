package io.hourglass.core.spi;

/**
 * The submit-rate quota of apps: a token bucket per app, refilled at the app's rate, holding at most one second of
 * it. The in-process {@code LocalSubmitRateLimiter} limits each server on its own; a cluster-wide one (Redisson's
 * {@code RRateLimiter}, profile {@code redis}) holds the rate across all servers together.
 */
public interface SubmitRateLimiter {

    /**
     * Takes {@code permits} tokens of the app's bucket if it has them all, else none.
     *
     * @param perSecond the app's rate, >= 1
     * @return 0 when taken; otherwise about how many ms until they could be (>= 1)
     */
    long tryAcquire(String appKey, long perSecond, int permits);
}
