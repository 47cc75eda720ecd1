package io.hourglass.bootstrap.e2e;

import io.hourglass.client.api.DelayClient;
import io.hourglass.client.contract.DelayClientContract;
import io.hourglass.client.dubbo.DubboDelayClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@link DelayClientContract} for {@link DubboDelayClient} over Dubbo Triple, against the packaged standalone
 * server started as a separate process with its RPC exporter on (one server for the class).
 *
 * <p>The exporter listens on {@code ::1}: the loopback only, and an address Dubbo consumers connect to as given
 * (they replace {@code 127.0.0.1} by the machine's address).
 */
@Timeout(60)
class DubboDelayClientIT extends DelayClientContract {

    @TempDir
    static Path dir;

    private static ServerProcess server;
    private static int rpcPort;
    private static DubboDelayClient client;

    @BeforeAll
    @Timeout(180)
    static void startServer() throws Exception {
        rpcPort = ServerProcess.freePort();
        server = ServerProcess.standalone(dir, ServerProcess.freePort(),
                "--delay.exporter.dubbo.enabled=true",
                "--delay.exporter.dubbo.port=" + rpcPort,
                "--delay.exporter.dubbo.host=::1").start();
        client = builder(rpcPort, "demo", "demo-secret").build();
    }

    @AfterAll
    @Timeout(90)
    static void stopServer() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private static DubboDelayClient.Builder builder(int port, String appKey, String appSecret) {
        return DubboDelayClient.builder().address("tri://[::1]:" + port).appKey(appKey).appSecret(appSecret)
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(10));
    }

    @Override
    protected DelayClient client() {
        return client;
    }

    @Override
    protected DelayClient clientWithCredentials(String appKey, String appSecret) {
        return builder(rpcPort, appKey, appSecret).build();
    }

    @Override
    protected DelayClient clientOfUnreachableServer() {
        try {
            return builder(ServerProcess.freePort(), "demo", "demo-secret")
                    .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200)).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String appKey() {
        return "demo";
    }
}
