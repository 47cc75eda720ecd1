package io.hourglass.protocol.etcd;

import io.hourglass.core.cluster.ClusterCoordinator;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.core.engine.StandaloneCoordinator;
import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.redis.HourglassRedisAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration alone: no etcd is contacted (the client connects on start, which the engine calls). */
@Timeout(60)
class EtcdCoordinatorAutoConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    static class Server {
        @Bean
        ClusterSettings clusterSettings() {
            return new ClusterSettings(64, "node-1", "http://127.0.0.1:8080", Duration.ofSeconds(9), Duration.ofSeconds(1));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserCoordinator {
        @Bean
        Coordinator myCoordinator() {
            return new StandaloneCoordinator(8, "mine");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBus {
        @Bean
        AppChangeBus myBus() {
            return AppChangeBus.local();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EtcdCoordinatorAutoConfiguration.class,
                    EtcdAppChangeBusAutoConfiguration.class))
            .withUserConfiguration(Server.class);

    @Test
    void typeEtcdGivesTheClusterCoordinatorWithDefaults() {
        runner.withPropertyValues("delay.protocol.type=etcd").run(context -> {
            assertThat(context).hasSingleBean(Coordinator.class);
            assertThat(context.getBean(Coordinator.class)).isInstanceOf(ClusterCoordinator.class);
            EtcdProperties p = context.getBean(EtcdProperties.class);
            assertThat(p.endpoints()).containsExactly("http://127.0.0.1:2379");
            assertThat(p.namespace()).isEmpty();
        });
    }

    @Test
    void otherTypesLeaveItOut() {
        runner.run(context -> assertThat(context).doesNotHaveBean(Coordinator.class));
        runner.withPropertyValues("delay.protocol.type=zookeeper")
                .run(context -> assertThat(context).doesNotHaveBean(Coordinator.class));
    }

    @Test
    void aUserCoordinatorWins() {
        runner.withUserConfiguration(UserCoordinator.class).withPropertyValues("delay.protocol.type=etcd")
                .run(context -> assertThat(context.getBean(Coordinator.class)).isInstanceOf(StandaloneCoordinator.class));
    }

    @Test
    void settingsAreBound() {
        runner.withPropertyValues("delay.protocol.type=etcd", "delay.protocol.etcd.endpoints=http://a:2379,https://b:2379",
                "delay.protocol.etcd.username=u", "delay.protocol.etcd.password=p", "delay.protocol.etcd.namespace=/prod").run(context -> {
            EtcdProperties p = context.getBean(EtcdProperties.class);
            assertThat(p.endpoints()).containsExactly("http://a:2379", "https://b:2379");
            assertThat(p.username()).isEqualTo("u");
            assertThat(p.namespace()).isEqualTo("/prod");
        });
    }

    @Test
    void aBadEndpointStopsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.protocol.type=etcd", "delay.protocol.etcd.endpoints=ftp://127.0.0.1:2379").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("delay.protocol.etcd.endpoints"));
    }

    @Test
    void hostAndPortEndpointsAsTheOriginalServerWroteThemAreTakenAsHttpUrls() {
        runner.withPropertyValues("delay.protocol.type=etcd", "delay.protocol.etcd.endpoints=10.0.0.1:2379,https://b:2379")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(EtcdProperties.class).urls())
                            .containsExactly("http://10.0.0.1:2379", "https://b:2379");
                });
    }

    @Test
    void aBadNamespaceStopsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.protocol.type=etcd", "delay.protocol.etcd.namespace=prod/").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("delay.protocol.etcd.namespace"));
    }

    @Test
    void theCoordinatorsAppChangeBusIsDeclared() {
        runner.withPropertyValues("delay.protocol.type=etcd").run(context -> {
            assertThat(context).hasSingleBean(AppChangeBus.class);
            assertThat(context.getBean(AppChangeBus.class))
                    .isSameAs(context.getBean(ClusterCoordinator.class).appChangeBus());
        });
        runner.withPropertyValues("delay.protocol.type=zookeeper")
                .run(context -> assertThat(context).doesNotHaveBean(AppChangeBus.class));
    }

    @Test
    void aRedisBusWinsWhateverTheOrderTheAutoConfigurationsAreListedIn() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EtcdAppChangeBusAutoConfiguration.class,
                        EtcdCoordinatorAutoConfiguration.class, HourglassRedisAutoConfiguration.class))
                .withUserConfiguration(Server.class)
                .withPropertyValues("delay.protocol.type=etcd")
                .run(context -> {
                    assertThat(context).hasSingleBean(AppChangeBus.class);
                    assertThat(context.getBean(AppChangeBus.class))
                            .isInstanceOf(HourglassRedisAutoConfiguration.RedisBus.class);
                    assertThat(context).hasSingleBean(ClusterCoordinator.class);
                });
    }

    @Test
    void anApplicationsBusWins() {
        runner.withUserConfiguration(UserBus.class).withPropertyValues("delay.protocol.type=etcd").run(context -> {
            assertThat(context).hasSingleBean(AppChangeBus.class);
            assertThat(context.getBean(AppChangeBus.class)).isSameAs(context.getBean("myBus"));
        });
    }

    @Test
    void anApplicationsOwnCoordinatorGetsNoCoordinatorBus() {
        runner.withUserConfiguration(UserCoordinator.class).withPropertyValues("delay.protocol.type=etcd")
                .run(context -> assertThat(context).doesNotHaveBean(AppChangeBus.class));
    }
}
