package io.hourglass.admin.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hourglass.core.clock.DelayClock;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Counts failed admin logins per username and per client address, and refuses further attempts of either once it
 * reached {@code maxFailures} within {@code window} (fixed windows, starting at the first failure). Bounded: at most
 * 100,000 keys, each forgotten when its window passed; a success clears its username.
 */
public final class LoginThrottle {

    private final int maxFailures;
    private final long windowMs;
    private final DelayClock clock;
    private final Cache<String, Window> failures;

    public LoginThrottle(int maxFailures, Duration window, DelayClock clock) {
        this.maxFailures = maxFailures;
        this.windowMs = window.toMillis();
        this.clock = clock;
        this.failures = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(window.toMillis(), TimeUnit.MILLISECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.now()))
                .executor(Runnable::run)
                .build();
    }

    /** Seconds until another attempt for this user or from this address is allowed; 0 when it is allowed now. */
    public long retryAfterSeconds(String username, String address) {
        long now = clock.now();
        return Math.max(blockedFor(key("u:", username), now), blockedFor(key("a:", address), now));
    }

    public void failed(String username, String address) {
        long now = clock.now();
        for (String key : new String[] {key("u:", username), key("a:", address)}) {
            if (key != null) {
                failures.asMap().compute(key, (k, w) -> w == null || now - w.start >= windowMs
                        ? new Window(now, 1) : new Window(w.start, w.count + 1));
            }
        }
    }

    public void succeeded(String username) {
        String key = key("u:", username);
        if (key != null) {
            failures.invalidate(key);
        }
    }

    private long blockedFor(String key, long now) {
        Window w = key == null ? null : failures.getIfPresent(key);
        if (w == null || w.count < maxFailures || now - w.start >= windowMs) {
            return 0;
        }
        return Math.max(1, (w.start + windowMs - now + 999) / 1000);
    }

    private static String key(String prefix, String value) {
        return value == null || value.isEmpty() ? null : prefix + (value.length() > 128 ? value.substring(0, 128) : value);
    }

    private record Window(long start, int count) {
    }
}
