package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.DelayClient;
import io.hourglass.client.contract.DelayClientContract;
import io.hourglass.client.dubbo.DubboDelayClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;

/**
 * The SDK {@link DelayClientContract} over {@link DubboDelayClient} against this exporter on the real engine with
 * in-memory store and emitter (fast, in one JVM). {@code delay-bootstrap}'s {@code DubboDelayClientIT} runs the same
 * suite against the packaged server.
 */
@Timeout(60)
class DubboClientContractTest extends DelayClientContract {

    private static ConfigurableApplicationContext server;
    private static int port;
    private static DubboDelayClient client;

    @BeforeAll
    static void start() {
        port = RpcTestApplication.freePort();
        server = new SpringApplicationBuilder(RpcTestApplication.class).web(WebApplicationType.NONE)
                .run("--delay.exporter.dubbo.port=" + port, "--delay.exporter.dubbo.host=::1");
        client = builder(port, RpcTestApplication.APP, RpcTestApplication.SECRET).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static DubboDelayClient.Builder builder(int port, String appKey, String secret) {
        return DubboDelayClient.builder().address("tri://[::1]:" + port).appKey(appKey).appSecret(secret)
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(10));
    }

    @Override
    protected DelayClient client() {
        return client;
    }

    @Override
    protected DelayClient clientWithCredentials(String appKey, String appSecret) {
        return builder(port, appKey, appSecret).build();
    }

    @Override
    protected DelayClient clientOfUnreachableServer() {
        return builder(RpcTestApplication.freePort(), RpcTestApplication.APP, RpcTestApplication.SECRET)
                .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200)).build();
    }

    @Override
    protected String appKey() {
        return RpcTestApplication.APP;
    }
}
