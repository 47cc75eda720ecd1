package io.hourglass.exporter.dubbo;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DelayEngine;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.EngineSettings;
import io.hourglass.core.engine.StandaloneCoordinator;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.RecordingEmitter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;

/**
 * The real engine and service over the core's in-memory fakes (system clock, recording emitter); the exporter comes
 * in through its auto-configuration. App {@code demo}/{@code demo-secret} owns topic {@code demo}.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(RpcTestApplication.CoreBeans.class)
class RpcTestApplication {

    static final String APP = "demo";
    static final String SECRET = "demo-secret";
    static final String TOPIC = "demo";
    /** An app with a quota of one pending message. */
    static final String LIMITED_APP = "limited";
    static final String LIMITED_SECRET = "limited-secret";

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The core: engine, app directory and service. */
    @Configuration(proxyBeanMethods = false)
    static class CoreBeans {

        @Bean
        InMemoryMessageStore messageStore() {
            return new InMemoryMessageStore();
        }

        @Bean(initMethod = "start", destroyMethod = "close")
        DelayEngine delayEngine(InMemoryMessageStore store) {
            return new DelayEngine(store, new RecordingEmitter(), new StandaloneCoordinator(64, "rpc-test"),
                    DelayClock.system(), EngineSettings.defaults(), new SimpleMeterRegistry());
        }

        @Bean
        AppDirectory appDirectory() {
            InMemoryAppStore apps = new InMemoryAppStore();
            AppDirectory directory = new AppDirectory(apps, DelayClock.system());
            directory.ensureApp(APP, SECRET, Set.of(TOPIC));
            // an app allowed one pending message, for the quota's status code
            directory.ensureApp(LIMITED_APP, LIMITED_SECRET, Set.of(TOPIC));
            io.hourglass.core.model.App limited = apps.findApp(LIMITED_APP).orElseThrow();
            apps.updateApp(limited.withQuotas(new io.hourglass.core.model.AppQuotas(0, 1, 0, 0))
                    .touched(limited.updatedAt() + 1));
            directory.invalidate(LIMITED_APP);
            return directory;
        }

        @Bean
        DelayService delayService(DelayEngine engine, InMemoryMessageStore store, AppDirectory apps) {
            return new DelayService(engine, store, apps, DelayClock.system());
        }
    }
}
