package io.hourglass.admin.app;

import io.hourglass.admin.AdminAutoConfiguration;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayEngine;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.EngineSettings;
import io.hourglass.core.engine.StandaloneCoordinator;
import io.hourglass.core.spi.TopicProvisioner;
import io.hourglass.core.testing.InMemoryAdminStore;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.hourglass.core.testing.RecordingEmitter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The admin module over the in-memory stores of delay-core's test fixtures, with a clock the tests set by hand
 * (the engine never fires here: messages stay as the admin API leaves them).
 */
@SpringBootApplication
public class AdminTestApplication {

    public static final long T0 = 1_800_000_000_000L;

    /** Topics the admin API asked to create, in order. */
    public static final class RecordingProvisioner implements TopicProvisioner {
        public final List<String> created = new CopyOnWriteArrayList<>();

        @Override
        public void ensureTopic(String topic, int partitions, short replicationFactor) {
            created.add(topic);
        }
    }

    /** The overview's counts recomputed on the caller's thread, so that a test sees them fresh once the clock moved. */
    @Bean(name = AdminAutoConfiguration.COUNT_REFRESHER)
    java.util.concurrent.Executor hourglassAdminCountRefresher() {
        return Runnable::run;
    }

    @Bean
    ManualClock delayClock() {
        return new ManualClock(T0);
    }

    @Bean
    InMemoryMessageStore messageStore() {
        return new InMemoryMessageStore();
    }

    @Bean
    InMemoryAppStore appStore() {
        return new InMemoryAppStore();
    }

    @Bean
    InMemoryAdminStore adminStore() {
        return new InMemoryAdminStore();
    }

    @Bean
    RecordingEmitter emitter() {
        return new RecordingEmitter();
    }

    @Bean
    io.hourglass.core.engine.DeadLetters deadLetters() {
        return new io.hourglass.core.engine.DeadLetters(true, ".DLQ", java.util.Map.of());
    }

    @Bean
    RecordingProvisioner topicProvisioner() {
        return new RecordingProvisioner();
    }

    @Bean
    StandaloneCoordinator coordinator() {
        return new StandaloneCoordinator(64, "test-node");
    }

    /** The engine's meters, which the admin's live figures read (as the application's registry in production). */
    @Bean
    SimpleMeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    DelayEngine delayEngine(InMemoryMessageStore store, RecordingEmitter emitter, DelayClock clock,
                            StandaloneCoordinator coordinator, SimpleMeterRegistry registry) {
        return new DelayEngine(store, emitter, coordinator, clock, EngineSettings.defaults(), registry);
    }

    @Bean
    AppDirectory appDirectory(InMemoryAppStore apps, DelayClock clock) {
        return new AppDirectory(apps, clock);
    }

    @Bean
    DelayService delayService(DelayEngine engine, InMemoryMessageStore store, AppDirectory apps, DelayClock clock) {
        return new DelayService(engine, store, apps, clock);
    }
}
