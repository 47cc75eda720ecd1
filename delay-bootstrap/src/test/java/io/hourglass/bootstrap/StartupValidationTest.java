package io.hourglass.bootstrap;

import io.hourglass.bootstrap.config.HourglassCoreConfiguration;
import io.hourglass.bootstrap.config.ModeDefaults;
import io.hourglass.bootstrap.config.PortsConfiguration;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.model.App;
import io.hourglass.core.engine.DelayEngine;
import io.hourglass.core.engine.StandaloneCoordinator;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.RecordingEmitter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad configuration stops the server with a message that names the key; unsafe configuration too
 * (docs/security.md). The runner applies {@link ModeDefaults} as the packaged server does.
 */
class StartupValidationTest {

    /** 32 bytes, the shortest accepted internal token. */
    static final String TOKEN_32 = "0123456789abcdef0123456789abcdef";

    private final ApplicationContextRunner runner = runner(new InMemoryAppStore());

    /** The server's configuration on in-memory ports; {@code apps} survives a restart (a second run). */
    private static ApplicationContextRunner runner(InMemoryAppStore apps) {
        return new ApplicationContextRunner()
                .withUserConfiguration(HourglassCoreConfiguration.class, PortsConfiguration.class)
                .withInitializer(ctx -> new ModeDefaults().postProcessEnvironment(ctx.getEnvironment(), null))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(MessageStore.class, InMemoryMessageStore::new)
                .withBean(AppStore.class, () -> apps)
                .withBean(MessageEmitter.class, RecordingEmitter::new);
    }

    private static String failure(org.springframework.boot.test.context.assertj.AssertableApplicationContext ctx) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = ctx.getStartupFailure(); t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Test
    void defaultsStartAStandaloneEngineOwningEverySlot() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DelayEngine.class);
            assertThat(ctx.getBean(Coordinator.class)).isInstanceOf(StandaloneCoordinator.class);
            assertThat(ctx.getBean(Coordinator.class).slotCount()).isEqualTo(64);
        });
    }

    @Test
    void negativeWindowFailsNamingTheKey() {
        runner.withPropertyValues("delay.core.within=-5s").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.core.within");
        });
    }

    @Test
    void unknownCoordinatorTypeFailsNamingTheKeyAndTheChoices() {
        runner.withPropertyValues("delay.protocol.type=consul").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.protocol.type").containsIgnoringCase("consul");
        });
    }

    @Test
    void slotCountOutOfRangeFailsNamingTheKey() {
        runner.withPropertyValues("delay.protocol.slot-count=5000").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.protocol.slot-count");
        });
    }

    @Test
    void coordinatorTypeWithoutItsModuleFailsNamingTheKey() {
        runner.withPropertyValues("delay.protocol.type=etcd").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.protocol.type=etcd");
        });
    }

    @Test
    void unknownStoreOrEmitterTypeFailsNamingTheKeyAndTheValue() {
        runner.withPropertyValues("delay.store.type=oracle").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.store.type").containsIgnoringCase("oracle");
        });
        runner.withPropertyValues("delay.message.type=pulsar").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.message.type").containsIgnoringCase("pulsar");
        });
    }

    @Test
    void aRenamedKeyStopsTheStartNamingTheOldAndTheNewKey() {
        runner.withPropertyValues("delay.protocol.type=zookeeper", "delay.protocol.endpoints=zk1:2181",
                "delay.store.transaction-timeout=5s").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx))
                    .contains("delay.protocol.endpoints is now delay.protocol.zookeeper.endpoints")
                    .contains("delay.store.transaction-timeout is now delay.store.mysql.transaction-timeout");
        });
        runner.withPropertyValues("delay.protocol.namespace=/prod").run(ctx ->
                assertThat(failure(ctx)).contains("delay.protocol.namespace is now delay.protocol.etcd|zookeeper.namespace"));
    }

    @Test
    void theOriginalServersKeysAreMappedOrRefusedNamingTheirReplacement() {
        // as the original delay-server's application.yml wrote them (camelCase, bare numbers)
        runner.withPropertyValues("delay.core.withinMin=5", "delay.protocol.user=u", "delay.message.carryMsgId=true",
                "delay.store.archive=true").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx))
                    .contains("delay.core.within-min is now delay.core.within, a duration (withinMin: 5 is within: 5m)")
                    .contains("delay.protocol.user is now delay.protocol.etcd|zookeeper.username")
                    .contains("delay.message.carry-msg-id is now nothing: remove it")
                    .contains("delay.store.archive is now delay.store.retention");
        });
        runner.withPropertyValues("delay.protocol.ttl=9", "delay.protocol.rebalanceDelay=1000",
                "delay.store.archiveScheduler=0 0 0/3 * * ?").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(io.hourglass.bootstrap.config.ProtocolProperties.class).ttl())
                    .as("a bare ttl is seconds, as the original read it").isEqualTo(java.time.Duration.ofSeconds(9));
            assertThat(ctx.getBean(io.hourglass.bootstrap.config.ProtocolProperties.class).rebalanceDelay())
                    .isEqualTo(java.time.Duration.ofMillis(1000));
        });
    }

    @Test
    void missingStoreFailsNamingTheKey() {
        new ApplicationContextRunner()
                .withUserConfiguration(HourglassCoreConfiguration.class)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(MessageEmitter.class, RecordingEmitter::new)
                .withPropertyValues("delay.store.type=cassandra")
                .run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(failure(ctx)).contains("delay.store.type=cassandra");
                });
    }

    @Test
    void aUserCoordinatorBeanWins() {
        runner.withBean("myCoordinator", Coordinator.class, () -> new StandaloneCoordinator(8, "mine")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(Coordinator.class).nodeId()).isEqualTo("mine");
        });
    }

    // --- item 7: the demo app is a loopback-only sandbox -----------------------------------------------------------

    @Test
    void standaloneDefaultsListenOnLoopbackAndCreateTheDemoApp() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getEnvironment().getProperty("server.address")).isEqualTo("127.0.0.1");
            App demo = ctx.getBean(AppDirectory.class).authenticate("demo", "demo-secret");
            assertThat(demo.enabled()).isTrue();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10"})
    void theDemoSecretOnANonLoopbackAddressFailsNamingTheKey(String address) {
        runner.withPropertyValues("server.address=" + address).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.bootstrap-app.secret").contains("server.address=" + address)
                    .contains("delay.bootstrap-app.enabled=false");
        });
    }

    @Test
    void theDemoSecretOnTheRpcPortOfEveryInterfaceFailsNamingTheKey() {
        runner.withPropertyValues("delay.exporter.dubbo.enabled=true").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.bootstrap-app.secret").contains("delay.exporter.dubbo.host");
        });
    }

    @Test
    void anExposedServerStartsWithTheDemoAppOffOrWithASecretOfItsOwn() {
        runner.withPropertyValues("server.address=0.0.0.0", "delay.bootstrap-app.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed());
        runner.withPropertyValues("server.address=0.0.0.0", "delay.bootstrap-app.secret=s3cret-of-our-own-0123456789")
                .run(ctx -> assertThat(ctx).hasNotFailed());
    }

    @Test
    void aDemoAppLeftInTheStoreWithTheDemoSecretStopsAnExposedServer() {
        InMemoryAppStore store = new InMemoryAppStore();
        ApplicationContextRunner sameStore = runner(store);
        sameStore.run(ctx -> assertThat(ctx).hasNotFailed()); // a first start on loopback created demo/demo-secret
        sameStore.withPropertyValues("server.address=0.0.0.0", "delay.bootstrap-app.enabled=false").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("'demo'").contains("delay.bootstrap-app.enabled")
                    .contains("rotate-secret");
        });
    }

    @Test
    void aRestartNeverReEnablesTheBootstrapAppNorResetsItsSecretOrTopics() {
        InMemoryAppStore store = new InMemoryAppStore();
        ApplicationContextRunner sameStore = runner(store);
        sameStore.run(ctx -> assertThat(ctx).hasNotFailed());
        // what an operator does through the admin API: disable, rotate the secret, revoke the topic
        App created = store.findApp("demo").orElseThrow();
        assertThat(store.updateApp(created.withEnabled(false)
                .withOnlySecret(AppDirectory.hashNew("rotated-secret")).touched(created.updatedAt() + 1))).isTrue();
        assertThat(store.removeTopic("demo", "demo")).isTrue();

        sameStore.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            AppDirectory apps = ctx.getBean(AppDirectory.class);
            assertThat(apps.authenticate("demo", "rotated-secret").enabled()).isFalse();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> apps.authenticate("demo", "demo-secret")))
                    .isInstanceOf(io.hourglass.core.error.AuthenticationException.class);
            assertThat(store.topicsOf("demo")).isEmpty();
        });
    }

    @Test
    void clusterModeTurnsTheDemoAppOffAndMovesManagementAndTheInternalEndpointOffTheApiPort() {
        ApplicationContextRunner cluster = runner.withPropertyValues("delay.protocol.internal-token=" + TOKEN_32)
                .withBean("clusterCoordinator", Coordinator.class, () -> new StandaloneCoordinator(8, "n1"));
        cluster.withPropertyValues("delay.protocol.type=etcd").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            var env = ctx.getEnvironment();
            assertThat(env.getProperty("delay.bootstrap-app.enabled")).isEqualTo("false");
            assertThat(env.getProperty("management.server.port")).isEqualTo("9090");
            assertThat(env.getProperty("delay.protocol.internal-port")).isEqualTo("9091");
            assertThat(env.getProperty("server.address")).isNull(); // peers must reach it
        });
        cluster.withPropertyValues("delay.protocol.type=zookeeper", "management.server.port=7000",
                "delay.bootstrap-app.enabled=true", "server.address=127.0.0.1").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getEnvironment().getProperty("management.server.port")).isEqualTo("7000");
            assertThat(ctx.getEnvironment().getProperty("delay.bootstrap-app.enabled")).isEqualTo("true");
        });
    }

    // --- item 8: the internal endpoint and its token ---------------------------------------------------------------

    @Test
    void aShortInternalTokenFailsNamingTheKeyWithoutShowingIt() {
        runner.withPropertyValues("delay.protocol.internal-token=cluster-test-token").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.protocol.internal-token").contains("at least 32 bytes")
                    .doesNotContain("cluster-test-token");
        });
        runner.withPropertyValues("delay.protocol.internal-token=" + TOKEN_32).run(ctx -> assertThat(ctx).hasNotFailed());
    }

    @Test
    void anInternalPortSharedWithAnotherPortFailsNamingTheKey() {
        runner.withPropertyValues("delay.protocol.internal-port=8080").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.protocol.internal-port=8080").contains("server.port");
        });
        runner.withPropertyValues("delay.protocol.internal-port=9090", "management.server.port=9090").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.protocol.internal-port=9090").contains("management.server.port");
        });
    }

    @Test
    void theAdvertisedAddressCarriesTheInternalPort() {
        runner.withPropertyValues("delay.protocol.internal-port=9091").run(ctx -> assertThat(
                ctx.getBean(io.hourglass.core.cluster.ClusterSettings.class).advertisedAddress()).endsWith(":9091"));
        runner.withPropertyValues("delay.protocol.internal-port=9091",
                "delay.protocol.advertised-address=http://10.0.0.5:9091").run(ctx -> assertThat(ctx).hasNotFailed());
        runner.withPropertyValues("delay.protocol.internal-port=9091",
                "delay.protocol.advertised-address=http://10.0.0.5:8080").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.protocol.advertised-address").contains("9091");
        });
    }
}
