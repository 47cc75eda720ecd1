package io.hourglass.core.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.error.QuotaExceededException;
import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.SubmitRateLimiter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks an app's {@link AppQuotas} before anything of a submit is stored: payload size, repeat interval, pending
 * messages and submit rate, in that order (the rate last, so a request refused for another reason spends no tokens).
 * A batch is checked as a whole: over any quota, none of it is stored.
 *
 * <p>Pending messages: the store's count of the app's SCHEDULED messages, read at most once a second per app, plus
 * what this server accepted since. Several servers accepting at once may each pass the last free places, so the
 * limit may be overshot by what the cluster accepts within a second; it is a guard against runaway producers, not
 * an exact ceiling (documented in docs/admin.md).
 */
public final class QuotaGuard {

    private static final long PENDING_REFRESH_MS = 1_000;

    private final MessageStore store;
    private final SubmitRateLimiter limiter;
    private final Cache<String, AtomicLong> pending;

    public QuotaGuard(MessageStore store, SubmitRateLimiter limiter, DelayClock clock) {
        this.store = store;
        this.limiter = limiter;
        this.pending = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(PENDING_REFRESH_MS, TimeUnit.MILLISECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.now()))
                .executor(Runnable::run)
                .build();
    }

    /** @throws QuotaExceededException when the commands would take the app over one of its quotas */
    public void check(App app, List<SubmitCommand> commands) {
        AppQuotas q = app.quotas();
        if (q.equals(AppQuotas.NONE) || commands.isEmpty()) {
            return;
        }
        for (SubmitCommand cmd : commands) {
            if (q.maxPayloadBytes() > 0 && cmd.payload() != null
                    && utf8Length(cmd.payload()) > q.maxPayloadBytes()) {
                throw new QuotaExceededException("max-payload-bytes", "Payload larger than the app's quota of "
                        + q.maxPayloadBytes() + " bytes", 1);
            }
            if (q.minRepeatIntervalMs() > 0 && cmd.repeatIntervalMs() != null
                    && cmd.repeatIntervalMs() < q.minRepeatIntervalMs()) {
                throw new QuotaExceededException("min-repeat-interval-ms", "repeatIntervalMs below the app's quota of "
                        + q.minRepeatIntervalMs() + " ms", 1);
            }
        }
        AtomicLong counted = null;
        if (q.maxPending() > 0) {
            counted = pending.get(app.appKey(), k -> new AtomicLong(store.countScheduledOfApp(k)));
            if (counted.get() + commands.size() > q.maxPending()) {
                throw new QuotaExceededException("max-pending", "App '" + app.appKey() + "' has "
                        + counted.get() + " pending messages; its quota is " + q.maxPending(), 1);
            }
        }
        if (q.submitsPerSecond() > 0) {
            long waitMs = limiter.tryAcquire(app.appKey(), q.submitsPerSecond(), commands.size());
            if (waitMs > 0) {
                throw new QuotaExceededException("submits-per-second", "App '" + app.appKey()
                        + "' is over its quota of " + q.submitsPerSecond() + " submits per second",
                        (waitMs + 999) / 1000);
            }
        }
        if (counted != null) {
            counted.addAndGet(commands.size());
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
