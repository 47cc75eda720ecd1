package io.hourglass.exporter.http.app;

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
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

import java.util.Set;

/**
 * A real engine and service over the core's in-memory fakes, with the system clock; the exporter comes in through
 * its auto-configuration. Apps: {@code demo}/{@code demo-secret} (topic {@code demo}) and
 * {@code other}/{@code other-secret} (topic {@code other}).
 */
@SpringBootApplication
public class TestApplication {

    public static final String APP = "demo";
    public static final String SECRET = "demo-secret";
    public static final String TOPIC = "demo";
    public static final String OTHER_APP = "other";
    public static final String OTHER_SECRET = "other-secret";
    public static final String OTHER_TOPIC = "other";

    /** Paths where {@link #failingFilter()} throws, as a fault outside Spring MVC would. */
    public static final String FAILING_PATH = "/test/failing-filter";
    public static final String FAILING_SEED_PATH = "/delay/failing-filter";

    @Bean
    InMemoryMessageStore messageStore() {
        return new InMemoryMessageStore();
    }

    @Bean
    InMemoryAppStore appStore() {
        return new InMemoryAppStore();
    }

    @Bean
    RecordingEmitter emitter() {
        return new RecordingEmitter();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    DelayEngine delayEngine(InMemoryMessageStore store, RecordingEmitter emitter) {
        return new DelayEngine(store, emitter, new StandaloneCoordinator(64, "test"), DelayClock.system(),
                EngineSettings.defaults(), new SimpleMeterRegistry());
    }

    @Bean
    AppDirectory appDirectory(InMemoryAppStore apps) {
        AppDirectory directory = new AppDirectory(apps, DelayClock.system());
        directory.ensureApp(APP, SECRET, Set.of(TOPIC));
        directory.ensureApp(OTHER_APP, OTHER_SECRET, Set.of(OTHER_TOPIC));
        return directory;
    }

    @Bean
    DelayService delayService(DelayEngine engine, InMemoryMessageStore store, AppDirectory apps) {
        return new DelayService(engine, store, apps, DelayClock.system());
    }

    @Bean
    FilterRegistrationBean<Filter> failingFilter() {
        Filter filter = (request, response, chain) -> {
            throw new IllegalStateException("failure outside MVC at " + ((HttpServletRequest) request).getRequestURI());
        };
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns(FAILING_PATH, FAILING_SEED_PATH);
        return registration;
    }
}
