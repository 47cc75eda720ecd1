package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.MessageView;
import io.hourglass.client.api.SubmitRequest;
import io.hourglass.client.api.SubmitResponse;
import io.hourglass.client.dubbo.DubboDelayClient;
import io.hourglass.testsupport.RequiresService;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optional ZooKeeper registry, on the real ZooKeeper of {@code scripts/lib/services.sh} (env
 * HOURGLASS_ZK_CONNECT): the exporter registers itself, and a client that knows only the registry finds it and
 * calls it.
 */
@Timeout(90)
@RequiresService(TestService.ZOOKEEPER)
class ZooKeeperRegistryTest {

    private static ConfigurableApplicationContext server;
    private static String registry;

    @BeforeAll
    static void start() {
        registry = "zookeeper://" + TestService.ZOOKEEPER.address();
        server = new SpringApplicationBuilder(RpcTestApplication.class).web(WebApplicationType.NONE)
                .run("--delay.exporter.dubbo.port=" + RpcTestApplication.freePort(), "--delay.exporter.dubbo.host=::1",
                        "--delay.exporter.dubbo.registry-address=" + registry);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aClientThatKnowsOnlyTheRegistryFindsTheServerAndCallsIt() {
        try (DubboDelayClient client = DubboDelayClient.builder().registryAddress(registry)
                .appKey(RpcTestApplication.APP).appSecret(RpcTestApplication.SECRET)
                .connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(10)).build()) {
            SubmitResponse submitted = client.submit(SubmitRequest.delayed(RpcTestApplication.TOPIC, "via-registry", 60_000));
            MessageView read = client.get(submitted.id());
            assertThat(read.payload()).isEqualTo("via-registry");
            assertThat(read.state()).isEqualTo("SCHEDULED");
        }
    }
}
