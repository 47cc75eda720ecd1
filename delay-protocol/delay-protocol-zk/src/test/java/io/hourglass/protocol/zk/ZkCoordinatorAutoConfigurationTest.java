package io.hourglass.protocol.zk;

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

/** The auto-configuration alone: no ZooKeeper is contacted (Curator connects on start, which the engine calls). */
@Timeout(60)
class ZkCoordinatorAutoConfigurationTest {

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
            .withConfiguration(AutoConfigurations.of(ZkCoordinatorAutoConfiguration.class,
                    ZkAppChangeBusAutoConfiguration.class))
            .withUserConfiguration(Server.class);

    @Test
    void typeZookeeperGivesTheClusterCoordinatorWithDefaults() {
        runner.withPropertyValues("delay.protocol.type=zookeeper").run(context -> {
            assertThat(context).hasSingleBean(Coordinator.class);
            assertThat(context.getBean(Coordinator.class)).isInstanceOf(ClusterCoordinator.class);
            ZkProperties p = context.getBean(ZkProperties.class);
            assertThat(p.endpoints()).containsExactly("127.0.0.1:2181");
            assertThat(p.namespace()).isEqualTo("hourglass");
        });
    }

    @Test
    void otherTypesLeaveItOut() {
        runner.run(context -> assertThat(context).doesNotHaveBean(Coordinator.class));
        runner.withPropertyValues("delay.protocol.type=etcd")
                .run(context -> assertThat(context).doesNotHaveBean(Coordinator.class));
    }

    @Test
    void aUserCoordinatorWins() {
        runner.withUserConfiguration(UserCoordinator.class).withPropertyValues("delay.protocol.type=zookeeper")
                .run(context -> assertThat(context.getBean(Coordinator.class)).isInstanceOf(StandaloneCoordinator.class));
    }

    @Test
    void settingsAreBound() {
        runner.withPropertyValues("delay.protocol.type=zookeeper", "delay.protocol.zookeeper.endpoints=a:2181,b:2181",
                "delay.protocol.zookeeper.username=u", "delay.protocol.zookeeper.password=p", "delay.protocol.zookeeper.namespace=prod").run(context -> {
            ZkProperties p = context.getBean(ZkProperties.class);
            assertThat(p.endpoints()).containsExactly("a:2181", "b:2181");
            assertThat(p.username()).isEqualTo("u");
            assertThat(p.namespace()).isEqualTo("prod");
        });
    }

    @Test
    void aBadEndpointStopsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.protocol.type=zookeeper", "delay.protocol.zookeeper.endpoints=http://127.0.0.1:2181")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("delay.protocol.zookeeper.endpoints"));
    }

    @Test
    void aBadNamespaceStopsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.protocol.type=zookeeper", "delay.protocol.zookeeper.namespace=/prod").run(context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("delay.protocol.zookeeper.namespace"));
    }

    @Test
    void theCoordinatorsAppChangeBusIsDeclared() {
        runner.withPropertyValues("delay.protocol.type=zookeeper").run(context -> {
            assertThat(context).hasSingleBean(AppChangeBus.class);
            assertThat(context.getBean(AppChangeBus.class))
                    .isSameAs(context.getBean(ClusterCoordinator.class).appChangeBus());
        });
        runner.withPropertyValues("delay.protocol.type=etcd")
                .run(context -> assertThat(context).doesNotHaveBean(AppChangeBus.class));
    }

    @Test
    void aRedisBusWinsWhateverTheOrderTheAutoConfigurationsAreListedIn() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ZkAppChangeBusAutoConfiguration.class,
                        ZkCoordinatorAutoConfiguration.class, HourglassRedisAutoConfiguration.class))
                .withUserConfiguration(Server.class)
                .withPropertyValues("delay.protocol.type=zookeeper")
                .run(context -> {
                    assertThat(context).hasSingleBean(AppChangeBus.class);
                    assertThat(context.getBean(AppChangeBus.class))
                            .isInstanceOf(HourglassRedisAutoConfiguration.RedisBus.class);
                    assertThat(context).hasSingleBean(ClusterCoordinator.class);
                });
    }

    @Test
    void anApplicationsBusWins() {
        runner.withUserConfiguration(UserBus.class).withPropertyValues("delay.protocol.type=zookeeper").run(context -> {
            assertThat(context).hasSingleBean(AppChangeBus.class);
            assertThat(context.getBean(AppChangeBus.class)).isSameAs(context.getBean("myBus"));
        });
    }

    @Test
    void anApplicationsOwnCoordinatorGetsNoCoordinatorBus() {
        runner.withUserConfiguration(UserCoordinator.class).withPropertyValues("delay.protocol.type=zookeeper")
                .run(context -> assertThat(context).doesNotHaveBean(AppChangeBus.class));
    }
}
