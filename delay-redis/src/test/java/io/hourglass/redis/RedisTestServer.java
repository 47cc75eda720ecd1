package io.hourglass.redis;

import io.hourglass.testsupport.TestService;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import java.net.URI;
import java.util.UUID;

/**
 * The real Redis that {@code scripts/lib/services.sh start_redis} starts (and {@code scripts/test.sh} always does),
 * given by {@value #ADDRESS_ENV} ({@code redis://127.0.0.1:6380}). Tests that need it say so with {@code @RequiresService(TestService.REDIS)}: without it they fail, or are
 * skipped with HOURGLASS_SKIP_SERVICES=1; the server process (a restart) is {@link TestService#REDIS}. Each
 * test works under a key prefix of its own, so that runs never see each other's keys.
 */
final class RedisTestServer {

    static final String ADDRESS_ENV = "HOURGLASS_REDIS_ADDRESS"; // TestService.REDIS

    private RedisTestServer() {
    }

    static String address() {
        return TestService.REDIS.address();
    }

    static String host() {
        return URI.create(address()).getHost();
    }

    static int port() {
        return URI.create(address()).getPort();
    }

    /** A key prefix no other test uses: {@code hg-test-<random>}. */
    static String uniquePrefix() {
        return "hg-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A client of the test Redis, as one server of a cluster has. */
    static RedissonClient client() {
        return client(address(), 30_000);
    }

    /**
     * A client of {@code address} with short timeouts and a small pool (tests run several "servers" in one JVM).
     *
     * @param watchdogMillis how long a lock stays without renewal (Redisson's lockWatchdogTimeout)
     */
    static RedissonClient client(String address, long watchdogMillis) {
        Config config = new Config();
        config.setLockWatchdogTimeout(watchdogMillis);
        config.useSingleServer()
                .setAddress(address)
                .setConnectTimeout(2000)
                .setTimeout(1000)
                .setConnectionMinimumIdleSize(2)
                .setConnectionPoolSize(8)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(4);
        return Redisson.create(config);
    }
}
