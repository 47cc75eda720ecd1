package io.hourglass.bootstrap;

import io.hourglass.bootstrap.config.ModeDefaults;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged defaults as the server reads them (application*.yml, the profiles, and {@link ModeDefaults} registered
 * in META-INF/spring.factories): the demo app and the loopback binding only standalone without a store profile.
 */
class ModeDefaultsTest {

    @Configuration(proxyBeanMethods = false)
    static class Nothing {
    }

    private static void withEnvironment(String[] args, Consumer<Environment> check) {
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(Nothing.class)
                .web(WebApplicationType.NONE).logStartupInfo(false).run(args)) {
            check.accept(ctx.getEnvironment());
        }
    }

    @Test
    void standaloneServesTheDemoAppOnLoopbackOnly() {
        withEnvironment(new String[0], env -> {
            assertThat(env.getProperty("delay.bootstrap-app.enabled", Boolean.class, true)).isTrue();
            assertThat(env.getProperty("server.address")).isEqualTo("127.0.0.1");
            assertThat(env.getProperty("management.server.port")).isNull(); // actuator on the (loopback) API port
        });
    }

    @Test
    void theStoreProfilesTurnTheDemoAppOffAndListenEverywhere() {
        for (String profile : new String[] {"mysql", "cassandra"}) {
            withEnvironment(new String[] {"--spring.profiles.active=" + profile}, env -> {
                assertThat(env.getProperty("delay.bootstrap-app.enabled")).as(profile).isEqualTo("false");
                assertThat(env.getProperty("server.address")).as(profile).isNull();
            });
        }
    }

    @Test
    void clusterModeMovesManagementAndTheInternalEndpointToPortsOfTheirOwn() {
        withEnvironment(new String[] {"--spring.profiles.active=mysql", "--delay.protocol.type=zookeeper"}, env -> {
            assertThat(env.getProperty("delay.bootstrap-app.enabled")).isEqualTo("false");
            assertThat(env.getProperty("management.server.port")).isEqualTo("9090");
            assertThat(env.getProperty("delay.protocol.internal-port")).isEqualTo("9091");
            assertThat(env.getProperty("server.address")).isNull();
        });
    }

    @Test
    void aStoreProfileAndACoordinatorProfileTogetherMakeAClusterServer() {
        for (String coordinator : new String[] {"etcd", "zookeeper"}) {
            withEnvironment(new String[] {"--spring.profiles.active=mysql," + coordinator}, env -> {
                assertThat(env.getProperty("delay.store.type")).isEqualTo("mysql");
                assertThat(env.getProperty("delay.protocol.type")).isEqualTo(coordinator);
                assertThat(env.getProperty("delay.protocol." + coordinator + ".endpoints")).as(coordinator).isNotBlank();
                // cluster mode follows from the profile's type: ModeDefaults read it
                assertThat(env.getProperty("management.server.port")).as(coordinator).isEqualTo("9090");
                assertThat(env.getProperty("delay.protocol.internal-port")).as(coordinator).isEqualTo("9091");
                assertThat(env.getProperty("delay.bootstrap-app.enabled")).as(coordinator).isEqualTo("false");
            });
        }
        withEnvironment(new String[] {"--spring.profiles.active=cassandra,etcd,redis,dubbo"}, env -> {
            assertThat(env.getProperty("delay.store.type")).isEqualTo("cassandra");
            assertThat(env.getProperty("delay.protocol.type")).isEqualTo("etcd");
            assertThat(env.getProperty("delay.redis.enabled")).isEqualTo("true");
            assertThat(env.getProperty("delay.exporter.dubbo.registry-address")).startsWith("zookeeper://");
        });
    }

    @Test
    void anythingConfiguredWinsOverTheModeDefaults() {
        withEnvironment(new String[] {"--server.address=::1", "--delay.protocol.type=etcd",
                "--management.server.port=7001", "--delay.protocol.internal-port=7002"}, env -> {
            assertThat(env.getProperty("server.address")).isEqualTo("::1");
            assertThat(env.getProperty("management.server.port")).isEqualTo("7001");
            assertThat(env.getProperty("delay.protocol.internal-port")).isEqualTo("7002");
        });
    }
}
