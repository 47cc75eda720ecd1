package io.hourglass.message.kafka.embedded;

import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.message.kafka.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.hourglass.message.kafka.TestSupport.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Standalone mode through a real SpringApplication: the initializer starts the broker and Spring stops it last. */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedKafkaInitializerTest {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .registerShutdownHook(false)
                .run(args);
    }

    /** Command-line arguments: free ports and a temporary data dir, then {@code more} ("key=value", winning). */
    private List<String> embeddedArgs(String... more) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("delay.message.kafka.embedded-port", String.valueOf(TestSupport.freePort()));
        args.put("delay.message.kafka.embedded-controller-port", String.valueOf(TestSupport.freePort()));
        args.put("delay.message.kafka.embedded-data-dir", dataDir.resolve("kafka").toString());
        for (String entry : more) {
            int eq = entry.indexOf('=');
            args.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return args.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toList();
    }

    @Test
    @Timeout(120)
    void standaloneStartsTheBrokerBeforeTheBeansAndStopsItAfterTheProducerFlushed() {
        // a long linger keeps the record in the producer until the context closes: it is acknowledged only if the
        // producer flushes before the broker stops
        ConfigurableApplicationContext context = run(embeddedArgs(
                "delay.message.kafka.linger=1s",
                "delay.message.kafka.request-timeout=5s",
                "delay.message.kafka.delivery-timeout=20s").toArray(String[]::new));
        EmbeddedKafkaServer server = context.getBean(EmbeddedKafkaServer.class);
        assertThat(server.isRunning()).isTrue();
        assertThat(context.getEnvironment().getProperty("spring.kafka.bootstrap-servers"))
                .isEqualTo(server.bootstrapServers());

        CompletableFuture<Void> sent = context.getBean(MessageEmitter.class)
                .emit(List.of(message("standalone", "k", "p", Map.of(), 1L)), 2L).get(0);
        context.close();

        assertThat(sent).isCompleted().isNotCompletedExceptionally();
        assertThat(server.isRunning()).isFalse();
    }

    @Test
    @Timeout(120)
    void userSetBootstrapServersAreKept() {
        try (ConfigurableApplicationContext context = run(embeddedArgs(
                "spring.kafka.bootstrap-servers=10.0.0.1:9092").toArray(String[]::new))) {
            assertThat(context.getBean(EmbeddedKafkaServer.class).isRunning()).isTrue();
            assertThat(context.getEnvironment().getProperty("spring.kafka.bootstrap-servers"))
                    .isEqualTo("10.0.0.1:9092");
        }
    }

    @Test
    @Timeout(60)
    void externalClusterModeStartsNoBroker() {
        try (ConfigurableApplicationContext context = run(embeddedArgs(
                "delay.message.kafka.embedded=false",
                "spring.kafka.bootstrap-servers=127.0.0.1:" + TestSupport.freePort()).toArray(String[]::new))) {
            assertThat(context.getBeansOfType(EmbeddedKafkaServer.class)).isEmpty();
            assertThat(context.getBeansOfType(MessageEmitter.class)).hasSize(1);
        }
    }

    @Test
    @Timeout(60)
    void otherMessageTypeStartsNoBroker() {
        try (ConfigurableApplicationContext context = run(embeddedArgs("delay.message.type=http")
                .toArray(String[]::new))) {
            assertThat(context.getBeansOfType(EmbeddedKafkaServer.class)).isEmpty();
            assertThat(context.getBeansOfType(MessageEmitter.class)).isEmpty();
        }
    }

    @Test
    @Timeout(60)
    void badEmbeddedPortStopsStartupNamingTheKey(CapturedOutput output) {
        assertThatThrownBy(() -> run(embeddedArgs("delay.message.kafka.embedded-port=70000")
                .toArray(String[]::new))).isNotNull();
        // Boot's failure analysis: "Property: delay.message.kafka.embeddedPort", "Value: "70000"",
        // "Origin: "delay.message.kafka.embedded-port" from ...", "Reason: must be less than or equal to 65535"
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("\"delay.message.kafka.embedded-port\"")
                .contains("Value: \"70000\"")
                .contains("must be less than or equal to 65535");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
