package io.hourglass.exporter.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Counts failed authentications per client address in fixed windows: more than {@code limit} failures within a
 * window throttle the address until the window ends (every request answered 429, right credentials included, so
 * that guessing does not pay). Bounded: at most {@code maxAddresses} addresses are tracked (Caffeine evicts the
 * least recent), each entry expires with its window, and nothing is kept for an address that never failed.
 */
final class AuthFailureThrottle {

    private final int limit;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final Cache<String, Window> windows;

    AuthFailureThrottle(int limit, Duration window, long maxAddresses, Ticker ticker) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.nanoTime = ticker::read;
        this.windows = Caffeine.newBuilder().maximumSize(maxAddresses).expireAfterWrite(window).ticker(ticker).build();
    }

    /** Seconds the address must still wait, or 0 when it may try. */
    long retryAfterSeconds(String address) {
        Window w = windows.getIfPresent(address);
        if (w == null || w.failures.get() <= limit) {
            return 0;
        }
        long left = w.startNanos + windowNanos - nanoTime.getAsLong();
        return left <= 0 ? 0 : Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    /** Records a failed authentication of the address. */
    void failed(String address) {
        long now = nanoTime.getAsLong();
        Window w = windows.asMap().compute(address, (a, current) ->
                current == null || now - current.startNanos >= windowNanos ? new Window(now) : current);
        w.failures.incrementAndGet();
    }

    /** Addresses tracked now (for tests). */
    long trackedAddresses() {
        windows.cleanUp();
        return windows.estimatedSize();
    }

    private static final class Window {
        final long startNanos;
        final AtomicInteger failures = new AtomicInteger();

        Window(long startNanos) {
            this.startNanos = startNanos;
        }
    }
}
