package io.hourglass.redis;

import io.hourglass.core.spi.ClusterJobLock;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.redisson.api.RedissonClient;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The job lock on the real Redis: one holder at a time across servers and threads; released on close or death. */
@RequiresService(TestService.REDIS)
@Timeout(60)
class RedisClusterJobLockTest {

    private final String prefix = RedisTestServer.uniquePrefix() + ":job:";
    private RedissonClient serverA;
    private RedissonClient serverB;

    @BeforeEach
    void connect() {
        serverA = RedisTestServer.client(RedisTestServer.address(), 1000); // watchdog lease of 1 s, renewed every ~0.3 s
        serverB = RedisTestServer.client();
    }

    @AfterEach
    void close() {
        if (!serverA.isShutdown()) {
            serverA.getKeys().deleteByPattern(prefix + "*");
            serverA.shutdown();
        }
        serverB.shutdown();
    }

    @Test
    void aSecondServerCannotTakeAHeldLockUntilItIsClosed() {
        ClusterJobLock a = new RedisClusterJobLock(serverA, prefix);
        ClusterJobLock b = new RedisClusterJobLock(serverB, prefix);

        Optional<ClusterJobLock.Held> held = a.tryLock("archive");
        assertThat(held).isPresent();
        assertThat(b.tryLock("archive")).isEmpty();
        assertThat(b.tryLock("other-job")).as("locks are per job").hasValueSatisfying(ClusterJobLock.Held::close);

        held.get().close();
        Optional<ClusterJobLock.Held> now = b.tryLock("archive");
        assertThat(now).isPresent();
        assertThat(a.tryLock("archive")).isEmpty();
        now.get().close();
        assertThat(serverA.getLock(prefix + "archive").isLocked()).isFalse();
    }

    @Test
    void anotherThreadOfTheSameServerCannotTakeIt() {
        ClusterJobLock a = new RedisClusterJobLock(serverA, prefix);
        try (ClusterJobLock.Held held = a.tryLock("archive").orElseThrow()) {
            assertThat(CompletableFuture.supplyAsync(() -> a.tryLock("archive")).join()).isEmpty();
        }
        assertThat(CompletableFuture.supplyAsync(() -> {
            Optional<ClusterJobLock.Held> h = a.tryLock("archive");
            h.ifPresent(ClusterJobLock.Held::close);
            return h.isPresent();
        }).join()).isTrue();
    }

    @Test
    void theWatchdogKeepsALongRunningHoldBeyondItsLease() {
        ClusterJobLock a = new RedisClusterJobLock(serverA, prefix);
        ClusterJobLock b = new RedisClusterJobLock(serverB, prefix);
        try (ClusterJobLock.Held held = a.tryLock("archive").orElseThrow()) {
            // three times the 1 s lease: still held, because the watchdog renews it
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
                Optional<ClusterJobLock.Held> stolen = b.tryLock("archive");
                stolen.ifPresent(ClusterJobLock.Held::close);
                return stolen.isEmpty();
            });
        }
    }

    @Test
    void theLockOfAServerThatDiesExpiresByItself() {
        ClusterJobLock a = new RedisClusterJobLock(serverA, prefix);
        ClusterJobLock b = new RedisClusterJobLock(serverB, prefix);
        assertThat(a.tryLock("archive")).isPresent(); // never closed
        serverA.shutdown(); // the server is gone: nothing renews its lease of 1 s

        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Optional<ClusterJobLock.Held> h = b.tryLock("archive");
            h.ifPresent(ClusterJobLock.Held::close);
            return h.isPresent();
        });
    }

    @Test
    void closingTwiceReleasesOnlyOnce() {
        ClusterJobLock a = new RedisClusterJobLock(serverA, prefix);
        ClusterJobLock b = new RedisClusterJobLock(serverB, prefix);
        ClusterJobLock.Held first = a.tryLock("archive").orElseThrow();
        first.close();
        ClusterJobLock.Held second = b.tryLock("archive").orElseThrow();
        first.close(); // must not release the other server's hold

        assertThat(a.tryLock("archive")).isEmpty();
        second.close();
    }

    @Test
    void aHandleClosedOnAnotherThreadStillReleasesItsHold() {
        ClusterJobLock a = new RedisClusterJobLock(serverA, prefix);
        ClusterJobLock b = new RedisClusterJobLock(serverB, prefix);
        ClusterJobLock.Held held = a.tryLock("archive").orElseThrow();

        CompletableFuture.runAsync(held::close).join();

        Optional<ClusterJobLock.Held> now = b.tryLock("archive");
        assertThat(now).isPresent();
        now.get().close();
    }
}
