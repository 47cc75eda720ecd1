package io.hourglass.client.api;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When a {@link DelayClient} retries a failed call and how long it waits first, the same for every transport: at
 * most {@code maxRetries} retries, of {@linkplain DelayClientException#isRetryable() retryable} failures only (no
 * answer, {@code 503} / {@code UNAVAILABLE}), after an exponential backoff with "equal jitter": retry {@code n}
 * waits a random time in {@code [d/2, d]}, {@code d = min(maxBackoff, initialBackoff * 2^(n-1))}. The lower half
 * keeps the growth; the random upper half keeps clients that failed together from coming back together.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetryPolicy {

    private final int maxRetries;
    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier random;

    /**
     * @param maxRetries     retries after the first attempt, {@code >= 0}
     * @param initialBackoff the wait before the first retry
     * @param maxBackoff     the cap of any wait, {@code >= initialBackoff}
     */
    public RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
        this(maxRetries, initialBackoff, maxBackoff, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in {@code [0, 1)}; a test pins the jitter with it */
    RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, DoubleSupplier random) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, was " + initialBackoff + ", " + maxBackoff);
        }
        this.maxRetries = maxRetries;
        this.initialMillis = initialBackoff.toMillis();
        this.maxMillis = maxBackoff.toMillis();
        this.random = random;
    }

    /** Retries after the first attempt. */
    public int maxRetries() {
        return maxRetries;
    }

    /**
     * @param retriesSoFar retries already made (0 after the first attempt failed)
     * @param failure      why the last attempt failed
     * @return whether to try again
     */
    public boolean shouldRetry(int retriesSoFar, DelayClientException failure) {
        return failure.isRetryable() && retriesSoFar < maxRetries;
    }

    /**
     * @param retry the number of the coming retry, from 1
     * @return how long to wait before it
     */
    public Duration backoff(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry counts from 1, was " + retry);
        }
        int doublings = Math.min(retry - 1, 30);
        long ceiling = initialMillis > (maxMillis >> doublings) ? maxMillis : Math.min(maxMillis, initialMillis << doublings);
        long floor = ceiling - ceiling / 2;
        return Duration.ofMillis(floor + (long) (random.getAsDouble() * (ceiling / 2 + 1)));
    }
}
