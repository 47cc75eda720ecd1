package io.hourglass.exporter.http;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.error.BasicErrorController;
import org.springframework.boot.autoconfigure.web.servlet.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class HttpExporterAutoConfigurationTest {

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HttpExporterAutoConfiguration.class, ErrorMvcAutoConfiguration.class,
                    DispatcherServletAutoConfiguration.class));

    @Configuration(proxyBeanMethods = false)
    static class CoreBeans {
        @Bean(destroyMethod = "close")
        DelayEngine delayEngine() {
            return new DelayEngine(new InMemoryMessageStore(), new RecordingEmitter(), new StandaloneCoordinator(4, "t"),
                    DelayClock.system(), EngineSettings.defaults(), new SimpleMeterRegistry());
        }

        @Bean
        AppDirectory appDirectory() {
            return new AppDirectory(new InMemoryAppStore(), DelayClock.system());
        }

        @Bean
        DelayService delayService(DelayEngine engine, AppDirectory apps) {
            return new DelayService(engine, new InMemoryMessageStore(), apps, DelayClock.system());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnErrorController {
        @Bean
        ErrorController myErrorController() {
            return new ErrorController() {
            };
        }
    }

    @Test
    void registersTheApiTheOriginalEndpointsAndTheErrorAnswersInAWebAppWithADelayService() {
        web.withUserConfiguration(CoreBeans.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(MessagesController.class);
            assertThat(context).hasSingleBean(SeedController.class);
            assertThat(context).hasSingleBean(ProblemHandler.class);
            assertThat(context).hasSingleBean(ProblemErrorController.class);
            assertThat(context).doesNotHaveBean(BasicErrorController.class);
        });
    }

    @Test
    void bootsOwnProblemDetailsHandlerBacksOffForOurs() {
        web.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
                .withUserConfiguration(CoreBeans.class)
                .withPropertyValues("spring.mvc.problemdetails.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).getBean(ResponseEntityExceptionHandler.class).isInstanceOf(ProblemHandler.class);
                });
    }

    @Test
    void backsOffWhenDisabled() {
        web.withUserConfiguration(CoreBeans.class).withPropertyValues("delay.exporter.http.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(MessagesController.class);
            assertThat(context).doesNotHaveBean(ProblemHandler.class);
            assertThat(context).hasSingleBean(BasicErrorController.class);
        });
    }

    @Test
    void backsOffWithoutADelayService() {
        web.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(MessagesController.class);
            assertThat(context).doesNotHaveBean(SeedController.class);
        });
    }

    @Test
    void backsOffOutsideAWebApplication() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HttpExporterAutoConfiguration.class))
                .withUserConfiguration(CoreBeans.class)
                .run(context -> assertThat(context).doesNotHaveBean(MessagesController.class));
    }

    @Test
    void aUserErrorControllerWins() {
        web.withUserConfiguration(CoreBeans.class, OwnErrorController.class).run(context -> {
            assertThat(context).hasSingleBean(ErrorController.class);
            assertThat(context).doesNotHaveBean(ProblemErrorController.class);
            assertThat(context).hasSingleBean(MessagesController.class);
        });
    }
}
