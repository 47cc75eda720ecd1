package io.hourglass.redis;

import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.protocol.tck.TcpProxy;
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
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** App changes over the real Redis: every server hears them, and one that reconnects is told to drop everything. */
@RequiresService(TestService.REDIS)
@Timeout(60)
class RedisAppChangeBusTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final String topic = RedisTestServer.uniquePrefix() + ":app-changes";
    private final List<AutoCloseable> toClose = new ArrayList<>();

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
        serverA.shutdown();
        serverB.shutdown();
    }

    private static List<String> listen(AppChangeBus bus) {
        List<String> heard = new CopyOnWriteArrayList<>();
        bus.subscribe(heard::add);
        return heard;
    }

    @Test
    void aChangeReachesEveryServerThePublisherIncluded() {
        RedisAppChangeBus a = new RedisAppChangeBus(serverA, topic, Duration.ofSeconds(2));
        RedisAppChangeBus b = new RedisAppChangeBus(serverB, topic, Duration.ofSeconds(2));
        List<String> heardByA = listen(a);
        List<String> heardByB = listen(b);

        a.publish("app-1");
        b.publish("app-2");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(heardByA).contains("app-1", "app-2");
            assertThat(heardByB).contains("app-1", "app-2");
        });
        assertThat(heardByA.stream().filter("app-1"::equals)).as("once each").hasSize(1);
    }

    @Test
    void everyListenerOfAServerHearsIt() {
        RedisAppChangeBus a = new RedisAppChangeBus(serverA, topic, Duration.ofSeconds(2));
        List<String> first = listen(a);
        List<String> second = listen(a);

        new RedisAppChangeBus(serverB, topic, Duration.ofSeconds(2)).publish("app-x");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(first).contains("app-x");
            assertThat(second).contains("app-x");
        });
    }

    @Test
    void aServerThatReconnectsIsToldToDropEveryApp() throws Exception {
        TcpProxy proxy = new TcpProxy(RedisTestServer.host(), RedisTestServer.port());
        toClose.add(proxy);
        RedissonClient viaProxy = RedisTestServer.client("redis://" + proxy.hostPort(), 30_000);
        toClose.add(viaProxy::shutdown);
        RedisAppChangeBus publisher = new RedisAppChangeBus(serverA, topic, Duration.ofSeconds(2));
        RedisAppChangeBus cutOff = new RedisAppChangeBus(viaProxy, topic, Duration.ofSeconds(2));
        List<String> heard = listen(cutOff);
        publisher.publish("before");
        await().atMost(WAIT).until(() -> heard.contains("before"));
        heard.clear();

        proxy.cut();
        publisher.publish("missed"); // Redis pub/sub keeps nothing for a server that is not connected
        proxy.restore();

        await().atMost(WAIT).until(() -> heard.contains(AppChangeBus.ALL));
        assertThat(heard).doesNotContain("missed");
        publisher.publish("after");
        await().atMost(WAIT).until(() -> heard.contains("after"));
    }

    @Test
    void publishingWithoutRedisNeverThrowsAndStillTellsThisServer() throws Exception {
        TcpProxy proxy = new TcpProxy(RedisTestServer.host(), RedisTestServer.port());
        toClose.add(proxy);
        RedissonClient viaProxy = RedisTestServer.client("redis://" + proxy.hostPort(), 30_000);
        toClose.add(viaProxy::shutdown);
        RedisAppChangeBus bus = new RedisAppChangeBus(viaProxy, topic, Duration.ofMillis(500));
        List<String> heard = listen(bus);

        proxy.cut();
        bus.publish("app-1");
        bus.publish("app-2");

        assertThat(heard).contains("app-1", "app-2");
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() {
        RedisAppChangeBus a = new RedisAppChangeBus(serverA, topic, Duration.ofSeconds(2));
        a.subscribe(key -> {
            throw new IllegalStateException("listener bug");
        });
        List<String> heard = listen(a);

        a.publish("app-1");
        a.publish("app-2");

        await().atMost(WAIT).until(() -> heard.containsAll(List.of("app-1", "app-2")));
    }
}
