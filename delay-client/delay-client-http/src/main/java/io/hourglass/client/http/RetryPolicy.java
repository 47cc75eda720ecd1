package io.hourglass.client.http;

import io.hourglass.client.api.DelayClientException;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When to retry a failed call and how long to wait first: at most {@code maxRetries} retries, only of
 * {@linkplain DelayClientException#isRetryable() retryable} failures (no answer, timeout, {@code 503}), after an
 * exponential backoff with "equal jitter": retry {@code n} waits a random time in {@code [d/2, d]} where
 * {@code d = min(maxBackoff, initialBackoff * 2^(n-1))}. The lower half keeps the growth, the random upper half
 * keeps many clients that failed together from retrying together.
 *
 * <p>Every call this client makes is safe to repeat: reads, cancels and re-times are idempotent by nature, and
 * submits always carry an {@code Idempotency-Key}.
 */
final class RetryPolicy {

    private final int maxRetries;
    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier random;

    RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
        this(maxRetries, initialBackoff, maxBackoff, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in {@code [0, 1)}; injectable so tests can pin the jitter */
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

    int maxRetries() {
        return maxRetries;
    }

    /**
     * @param retriesSoFar how many retries were already made (0 after the first attempt failed)
     * @param failure      why the last attempt failed
     * @return whether to try again
     */
    boolean shouldRetry(int retriesSoFar, DelayClientException failure) {
        return failure.isRetryable() && retriesSoFar < maxRetries;
    }

    /**
     * @param retry the number of the coming retry, from 1
     * @return how long to wait before it
     */
    Duration backoff(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry counts from 1, was " + retry);
        }
        int shift = Math.min(retry - 1, 30);
        long ceiling = initialMillis > (maxMillis >> shift) ? maxMillis : Math.min(maxMillis, initialMillis << shift);
        long half = ceiling / 2;
        return Duration.ofMillis(ceiling - half + (long) (random.getAsDouble() * (half + 1)));
    }
}
