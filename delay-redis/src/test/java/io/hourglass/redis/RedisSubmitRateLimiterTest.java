package io.hourglass.redis;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.LocalSubmitRateLimiter;
import io.hourglass.protocol.tck.TcpProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.redisson.api.RedissonClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The submit-rate quota on the real Redis: shared by the servers of a cluster (here two Redisson clients in one JVM,
 * each with its own limiter), changed by a new rate, and answered per server while Redis fails.
 */
@RequiresService(TestService.REDIS)
@Timeout(60)
class RedisSubmitRateLimiterTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final String prefix = RedisTestServer.uniquePrefix() + ":rate:";
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private RedissonClient serverA;
    private RedissonClient serverB;

    @BeforeEach
    void connect() {
        serverA = RedisTestServer.client();
        serverB = RedisTestServer.client();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        // the limiter's hash, and its {name}:value / {name}:permits keys
        serverA.getKeys().deleteByPattern(prefix + "*");
        serverA.getKeys().deleteByPattern("{" + prefix + "*");
        serverA.shutdown();
        serverB.shutdown();
    }

    private RedisSubmitRateLimiter limiter(RedissonClient client, Duration timeout) {
        return new RedisSubmitRateLimiter(client, prefix, timeout, new LocalSubmitRateLimiter(DelayClock.system()),
                DelayClock.system(), registry);
    }

    private double fallbacks() {
        return registry.get(RedisSubmitRateLimiter.FALLBACKS).counter().count();
    }

    @Test
    void twoServersTogetherAdmitTheAppsRateOnce() throws Exception {
        RedisSubmitRateLimiter a = limiter(serverA, Duration.ofSeconds(2));
        RedisSubmitRateLimiter b = limiter(serverB, Duration.ofSeconds(2));
        // Each server alone would admit 50/s: ~400 in the window if each had its own quota. Together they share one:
        // the first second's 50 at once, then 50 each time a second has passed since those were taken (at ~1, ~2
        // and ~3 s). The window ends at 3.5 s, half-way between refills, so the count does not hinge on a boundary.
        long windowNanos = Duration.ofMillis(3500).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            long end = System.nanoTime() + windowNanos;
            Future<Integer> fromA = pool.submit(() -> hammer(a, "app-shared", 50, end));
            Future<Integer> fromB = pool.submit(() -> hammer(b, "app-shared", 50, end));
            int admittedByA = fromA.get();
            int admittedByB = fromB.get();
            int total = admittedByA + admittedByB;
            int expected = 50 * 3 + 50; // three refills and the initial burst
            assertThat(total).as("admitted by both servers together (A %d, B %d)", admittedByA, admittedByB)
                    .isBetween((int) (expected * 0.85), (int) (expected * 1.15));
            assertThat(admittedByA).isPositive();
            assertThat(admittedByB).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(fallbacks()).isZero();
    }

    /** Asks for one permit at a time until {@code endNanos}; returns how many were admitted. */
    private static int hammer(RedisSubmitRateLimiter limiter, String app, long rate, long endNanos) {
        int admitted = 0;
        while (System.nanoTime() < endNanos) {
            if (limiter.tryAcquire(app, rate, 1) == 0) {
                admitted++;
            } else {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // pacing, not a wait for a condition
            }
        }
        return admitted;
    }

    @Test
    void beyondTheRateItRefusesAndSaysAboutHowLongToWait() {
        RedisSubmitRateLimiter a = limiter(serverA, Duration.ofSeconds(2));
        for (int i = 0; i < 5; i++) {
            assertThat(a.tryAcquire("app-5", 5, 1)).as("permit %d", i).isZero();
        }
        assertThat(a.tryAcquire("app-5", 5, 1)).isBetween(1L, 1000L);
        assertThat(limiter(serverB, Duration.ofSeconds(2)).tryAcquire("app-5", 5, 1))
                .as("the other server sees the same quota used up").isBetween(1L, 1000L);
    }

    @Test
    void moreThanOneSecondsWorthAtOnceIsNeverAdmitted() {
        RedisSubmitRateLimiter a = limiter(serverA, Duration.ofSeconds(2));
        assertThat(a.tryAcquire("app-small", 10, 11)).isEqualTo(1000);
        assertThat(a.tryAcquire("app-small", 10, 10)).as("a full second's worth is fine").isZero();
        assertThat(fallbacks()).isZero();
    }

    @Test
    void aBatchTakesAllItsPermitsOrNone() {
        RedisSubmitRateLimiter a = limiter(serverA, Duration.ofSeconds(2));
        assertThat(a.tryAcquire("app-batch", 10, 7)).isZero();
        assertThat(a.tryAcquire("app-batch", 10, 4)).isPositive();
        assertThat(a.tryAcquire("app-batch", 10, 3)).as("the refused batch took nothing").isZero();
    }

    @Test
    void aChangedRateTakesEffectOnEveryServer() {
        RedisSubmitRateLimiter a = limiter(serverA, Duration.ofSeconds(2));
        RedisSubmitRateLimiter b = limiter(serverB, Duration.ofSeconds(2));
        assertThat(a.tryAcquire("app-up", 3, 3)).isZero();
        assertThat(b.tryAcquire("app-up", 3, 1)).isPositive();

        // the app's quota is raised to 20/s: the first server to see it stores it (with a fresh second)...
        assertThat(a.tryAcquire("app-up", 20, 15)).isZero();
        // ...and the other, seeing the same new rate, shares that second rather than resetting it again
        assertThat(b.tryAcquire("app-up", 20, 5)).isZero();
        assertThat(b.tryAcquire("app-up", 20, 1)).isPositive();
        assertThat(serverA.getRateLimiter(prefix + "app-up").getConfig().getRate()).isEqualTo(20);

        // and lowered again
        assertThat(b.tryAcquire("app-up", 2, 2)).isZero();
        assertThat(a.tryAcquire("app-up", 2, 1)).isPositive();
        assertThat(serverA.getRateLimiter(prefix + "app-up").getConfig().getRate()).isEqualTo(2);
    }

    @Test
    void aLimiterDeletedFromRedisIsCreatedAgain() {
        RedisSubmitRateLimiter a = limiter(serverA, Duration.ofSeconds(2));
        assertThat(a.tryAcquire("app-gone", 4, 4)).isZero();
        // as when its keys expire after a day unused
        serverB.getKeys().deleteByPattern(prefix + "app-gone");
        serverB.getKeys().deleteByPattern("{" + prefix + "app-gone}*");
        assertThat(serverB.getKeys().countExists(prefix + "app-gone")).isZero();

        assertThat(a.tryAcquire("app-gone", 4, 4)).isZero();
        assertThat(serverB.getRateLimiter(prefix + "app-gone").getConfig().getRate()).isEqualTo(4);
        assertThat(fallbacks()).isZero();
    }

    @Test
    void whileRedisIsCutOffEachServerLimitsOnItsOwnAndCountsIt() throws Exception {
        TcpProxy proxy = new TcpProxy(RedisTestServer.host(), RedisTestServer.port());
        toClose.add(proxy);
        RedissonClient viaProxy = RedisTestServer.client("redis://" + proxy.hostPort(), 30_000);
        toClose.add(viaProxy::shutdown);
        RedisSubmitRateLimiter limiter = limiter(viaProxy, Duration.ofMillis(500));
        assertThat(limiter.tryAcquire("app-outage", 3, 3)).isZero();
        assertThat(fallbacks()).isZero();

        proxy.cut();
        // the local bucket of this server: full at first, then empty; no call fails or hangs
        assertThat(limiter.tryAcquire("app-outage", 3, 3)).isZero();
        assertThat(limiter.tryAcquire("app-outage", 3, 1)).isPositive();
        assertThat(fallbacks()).isEqualTo(2.0);

        proxy.restore();
        // once Redis answers again (a probe per second), checks go to Redis again and stop being counted
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            double before = fallbacks();
            limiter.tryAcquire("app-outage-after", 100, 1);
            return fallbacks() == before;
        });
        assertThat(serverA.getRateLimiter(prefix + "app-outage-after").getConfig().getRate()).isEqualTo(100);
    }

    @Test
    void aRedisThatHangsDelaysOneCheckByAtMostTheTimeoutThenTheServerAnswersAlone() throws Exception {
        TcpProxy proxy = new TcpProxy(RedisTestServer.host(), RedisTestServer.port());
        toClose.add(proxy);
        RedissonClient viaProxy = RedisTestServer.client("redis://" + proxy.hostPort(), 30_000);
        toClose.add(viaProxy::shutdown);
        RedisSubmitRateLimiter limiter = limiter(viaProxy, Duration.ofMillis(300));
        assertThat(limiter.tryAcquire("app-hang", 10, 1)).isZero();

        proxy.freeze(); // connections stay open, nothing answers
        assertThat(limiter.tryAcquire("app-hang", 10, 1)).isZero();
        assertThat(fallbacks()).isEqualTo(1.0);
        // the following checks do not wait for Redis at all until the next probe
        for (int i = 0; i < 9; i++) {
            assertThat(limiter.tryAcquire("app-hang", 10, 1)).isZero();
        }
        assertThat(limiter.tryAcquire("app-hang", 10, 1)).as("the local bucket of 10 is used up").isPositive();
        assertThat(fallbacks()).isEqualTo(11.0);
        proxy.restore();
    }
}
