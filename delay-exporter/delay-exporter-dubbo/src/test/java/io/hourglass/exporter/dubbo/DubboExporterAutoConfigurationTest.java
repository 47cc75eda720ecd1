package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.rpc.DubboMessageServiceTriple;
import io.hourglass.client.api.rpc.MessageService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the exporter is on, what it serves, and how a bad setting stops the application (naming the key). Each case
 * that starts a server uses a free port on {@code ::1}.
 */
@Timeout(120)
class DubboExporterAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DubboExporterAutoConfiguration.class))
            .withUserConfiguration(RpcTestApplication.CoreBeans.class)
            .withPropertyValues("delay.exporter.dubbo.host=::1");

    @Test
    void servesTheMessageServiceWhenTheCoreIsThere() {
        runner.withPropertyValues("delay.exporter.dubbo.port=" + RpcTestApplication.freePort())
                .run(context -> {
                    assertThat(context).hasSingleBean(DubboServer.class).hasSingleBean(MessageService.class);
                    assertThat(context.getBean(DubboServer.class).isRunning()).isTrue();
                    assertThat(context.getBean(MessageService.class)).isInstanceOf(MessageRpcService.class);
                });
    }

    @Test
    void offWhenDisabled() {
        runner.withPropertyValues("delay.exporter.dubbo.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DubboServer.class));
    }

    @Test
    void offWithoutTheCoreService() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DubboExporterAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DubboServer.class));
    }

    @Test
    void anApplicationsOwnMessageServiceIsServedInstead() {
        MessageService own = new DubboMessageServiceTriple.MessageServiceImplBase() {
        };
        runner.withPropertyValues("delay.exporter.dubbo.port=" + RpcTestApplication.freePort())
                .withBean(MessageService.class, () -> own)
                .run(context -> assertThat(context.getBean(MessageService.class)).isSameAs(own));
    }

    @Test
    void aTakenPortStopsTheStartNamingTheKeys() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            runner.withPropertyValues("delay.exporter.dubbo.port=" + taken.getLocalPort())
                    .run(context -> {
                        assertThat(context).hasFailed();
                        Throwable failure = context.getStartupFailure();
                        FailureAnalysis analysis = new DubboPortInUseFailureAnalyzer().analyze(failure);
                        assertThat(analysis).isNotNull();
                        assertThat(analysis.getDescription()).contains(String.valueOf(taken.getLocalPort()))
                                .contains("delay.exporter.dubbo.port");
                        assertThat(analysis.getAction()).contains("delay.exporter.dubbo.enabled=false");
                    });
        }
    }

    @Test
    void ipv4LoopbackHostIsRefusedBecauseDubboWouldListenEverywhere() {
        runner.withPropertyValues("delay.exporter.dubbo.host=127.0.0.1")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("delay.exporter.dubbo.host=127.0.0.1").hasMessageContaining("::1"));
    }

    @Test
    void portOutOfRangeIsRefusedNamingTheKey() {
        runner.withPropertyValues("delay.exporter.dubbo.port=70000")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasMessageContaining("delay.exporter.dubbo"));
    }
}
