package io.hourglass.redis;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.LocalSubmitRateLimiter;
import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.ClusterJobLock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.redisson.api.RedissonClient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real restart of the Redis server process ({@code scripts/lib/services.sh restart_redis}) under running clients:
 * they reconnect by themselves, the bus tells its listeners to drop every app, and the three ports work again.
 * Skipped when the server was not started by the services script (it cannot be restarted from here then).
 */
@RequiresService(TestService.REDIS)
@Timeout(120)
class RedisRestartTest {

    private final String prefix = RedisTestServer.uniquePrefix();
    private RedissonClient server;

    @BeforeEach
    void connect() {
        TestService.REDIS.assumeManagedHere();
        server = RedisTestServer.client();
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.getKeys().deleteByPattern(prefix + "*");
            server.getKeys().deleteByPattern("{" + prefix + "*");
            server.shutdown();
        }
    }

    @Test
    void afterARedisRestartEveryPortWorksAgainAndTheCachesAreDropped() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RedisSubmitRateLimiter limiter = new RedisSubmitRateLimiter(server, prefix + ":rate:", Duration.ofMillis(500),
                new LocalSubmitRateLimiter(DelayClock.system()), DelayClock.system(), registry);
        RedisAppChangeBus bus = new RedisAppChangeBus(server, prefix + ":app-changes", Duration.ofMillis(500));
        RedisClusterJobLock lock = new RedisClusterJobLock(server, prefix + ":job:");
        List<String> heard = new CopyOnWriteArrayList<>();
        bus.subscribe(heard::add);
        assertThat(limiter.tryAcquire("app", 100, 1)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains(AppChangeBus.ALL));
        heard.clear();

        TestService.REDIS.restart(false);

        await().atMost(Duration.ofSeconds(60)).until(() -> heard.contains(AppChangeBus.ALL));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            double before = registry.get(RedisSubmitRateLimiter.FALLBACKS).counter().count();
            limiter.tryAcquire("app", 100, 1);
            return registry.get(RedisSubmitRateLimiter.FALLBACKS).counter().count() == before;
        });
        bus.publish("app-after");
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("app-after"));
        try (ClusterJobLock.Held held = lock.tryLock("archive").orElseThrow()) {
            assertThat(server.getLock(prefix + ":job:archive").isLocked()).isTrue();
        }
    }
}
