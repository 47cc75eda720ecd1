package io.hourglass.bootstrap;

import io.hourglass.bootstrap.config.HourglassCoreConfiguration;
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
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad configuration stops the server with a message that names the key. */
class StartupValidationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(HourglassCoreConfiguration.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withBean(MessageStore.class, InMemoryMessageStore::new)
            .withBean(AppStore.class, InMemoryAppStore::new)
            .withBean(MessageEmitter.class, RecordingEmitter::new);

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
}
