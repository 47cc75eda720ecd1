package io.hourglass.store.mysql;

import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.MessageStore;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The database server goes away under a running store and comes back: calls fail with
 * {@link StoreUnavailableException} (retryable) rather than hang or leak driver exceptions, nothing committed is lost,
 * and the store works again once the server is back, without a restart of the application. H2 runs here as a real
 * TCP server in this JVM, so that it can be stopped and started like MariaDB.
 */
class H2ServerOutageTest {

    @TempDir
    Path dir;
    private Server server;
    private ConfigurableApplicationContext context;

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    @Timeout(120)
    void storeFailsWithStoreUnavailableWhileTheServerIsDownAndRecoversWhenItIsBack() throws Exception {
        int port = freePort();
        server = startServer(port);
        context = TestStoreApp.start("jdbc:h2:tcp://127.0.0.1:" + port + "/hourglass" + TestStoreApp.H2_SETTINGS,
                "spring.datasource.hikari.connection-timeout=1000",
                "spring.datasource.hikari.validation-timeout=500",
                "delay.store.mysql.transaction-timeout=5s");
        MessageStore store = context.getBean(MessageStore.class);
        long now = 1_800_000_000_000L;
        MessageIds ids = new MessageIds();
        DelayMessage before = message(ids, now);
        store.insert(List.of(before));

        server.stop();

        DelayMessage during = message(ids, now);
        assertThatThrownBy(() -> store.get(before.id())).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.insert(List.of(during))).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> store.claim(List.of(before.id()), now + 10, 1L))
                .isInstanceOf(StoreUnavailableException.class);

        server = startServer(port);

        // Poll slower than Hikari's 500 ms "alive bypass window": H2 reports a dead TCP connection as 90007, which
        // Hikari does not treat as fatal, so it finds a dead connection only when it validates it before lending it
        // out (MariaDB's 08xxx errors are evicted at once).
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(700))
                .ignoreExceptionsInstanceOf(StoreUnavailableException.class)
                .until(() -> store.get(before.id()).isPresent());
        assertThat(store.get(before.id())).contains(before);
        assertThat(store.get(during.id())).as("the failed insert left nothing").isEmpty();
        store.insert(List.of(during));
        assertThat(store.claim(List.of(before.id(), during.id()), now + 10, 2L)).hasSize(2);
    }

    private Server startServer(int port) throws SQLException {
        return Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", dir.toString(), "-ifNotExists")
                .start();
    }

    private static DelayMessage message(MessageIds ids, long now) {
        return DelayMessage.scheduled(ids.next(7, now), "outage-app", "t", null, "p", null, now + 5, null, now, null);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
