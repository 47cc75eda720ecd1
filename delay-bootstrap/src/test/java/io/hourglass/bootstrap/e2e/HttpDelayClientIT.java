package io.hourglass.bootstrap.e2e;

import io.hourglass.client.api.DelayClient;
import io.hourglass.client.contract.DelayClientContract;
import io.hourglass.client.http.HttpDelayClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@link DelayClientContract} for {@link HttpDelayClient}, against the packaged standalone server started as a
 * separate process (one server for the whole class; every test makes its own messages).
 */
@Timeout(60)
class HttpDelayClientIT extends DelayClientContract {

    @TempDir
    static Path dir;

    private static ServerProcess server;
    private static HttpDelayClient client;

    @BeforeAll
    @Timeout(180)
    static void startServer() throws Exception {
        server = ServerProcess.standalone(dir, ServerProcess.freePort()).start();
        client = builder(server.baseUrl(), "demo", "demo-secret").build();
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

    private static HttpDelayClient.Builder builder(String baseUrl, String appKey, String appSecret) {
        return HttpDelayClient.builder().baseUrl(baseUrl).appKey(appKey).appSecret(appSecret)
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(10));
    }

    @Override
    protected DelayClient client() {
        return client;
    }

    @Override
    protected DelayClient clientWithCredentials(String appKey, String appSecret) {
        return builder(server.baseUrl(), appKey, appSecret).build();
    }

    @Override
    protected DelayClient clientOfUnreachableServer() {
        try {
            return builder("http://127.0.0.1:" + ServerProcess.freePort(), "demo", "demo-secret")
                    .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200)).build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected String appKey() {
        return "demo";
    }
}
