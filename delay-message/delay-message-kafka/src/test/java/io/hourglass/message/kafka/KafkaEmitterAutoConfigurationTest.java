package io.hourglass.message.kafka;

import io.hourglass.core.spi.MessageEmitter;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration alone (no broker needed: the producer connects on first send). */
class KafkaEmitterAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KafkaEmitterAutoConfiguration.class, KafkaAutoConfiguration.class,
                    ValidationAutoConfiguration.class))
            .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:" + TestSupport.freePort());

    @Test
    @Timeout(30)
    void defaultCreatesTheKafkaEmitter() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(MessageEmitter.class);
            assertThat(context.getBean(MessageEmitter.class)).isInstanceOf(KafkaMessageEmitter.class);
            assertThat(context.getBean(KafkaMessageProperties.class).embedded()).isTrue();
        });
    }

    @Test
    @Timeout(30)
    void explicitKafkaTypeCreatesTheKafkaEmitter() {
        runner.withPropertyValues("delay.message.type=kafka")
                .run(context -> assertThat(context).hasSingleBean(KafkaMessageEmitter.class));
    }

    @Test
    @Timeout(30)
    void httpTypeBacksOff() {
        runner.withPropertyValues("delay.message.type=http")
                .run(context -> assertThat(context).doesNotHaveBean(MessageEmitter.class));
    }

    @Test
    @Timeout(30)
    void userEmitterBeanWins() {
        runner.withUserConfiguration(UserEmitter.class).run(context -> {
            assertThat(context).hasSingleBean(MessageEmitter.class);
            assertThat(context.getBean(MessageEmitter.class)).isSameAs(UserEmitter.EMITTER);
        });
    }

    @Test
    @Timeout(30)
    void withoutSpringKafkaOnTheClasspathBacksOff() {
        runner.withClassLoader(new FilteredClassLoader(KafkaTemplate.class))
                .run(context -> assertThat(context).doesNotHaveBean(MessageEmitter.class));
    }

    @Test
    @Timeout(30)
    void guaranteeSettingsWinOverBootProducerProperties() {
        runner.withPropertyValues(
                        "spring.kafka.producer.acks=1",
                        "spring.kafka.producer.properties.enable.idempotence=false",
                        "spring.kafka.producer.transaction-id-prefix=tx-",
                        "spring.kafka.producer.properties.foo.bar=kept",
                        "delay.message.kafka.max-block=1500ms",
                        "delay.message.kafka.linger=3ms",
                        "delay.message.kafka.batch-size=128KB")
                .run(context -> {
                    Map<String, Object> config = context.getBean(KafkaMessageEmitter.class).producerConfiguration();
                    assertThat(config)
                            .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                            .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                            .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500L)
                            .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 3)
                            .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024)
                            .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000)
                            .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip")
                            .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "hourglass-emitter")
                            .containsEntry("foo.bar", "kept")
                            .doesNotContainKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
                });
    }

    @Test
    @Timeout(30)
    void badValueFailsStartupNamingTheKey() {
        runner.withPropertyValues("delay.message.kafka.max-block=0ms").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("delay.message.kafka").contains("maxBlock");
        });
        runner.withPropertyValues("delay.message.kafka.compression=brotli").run(context ->
                assertThat(messages(context.getStartupFailure())).contains("delay.message.kafka")
                        .contains("compression"));
    }

    @Test
    @Timeout(30)
    void inconsistentTimeoutsFailStartupNamingTheKeys() {
        runner.withPropertyValues("delay.message.kafka.delivery-timeout=5s", "delay.message.kafka.request-timeout=10s")
                .run(context -> assertThat(messages(context.getStartupFailure()))
                        .contains("delay.message.kafka.delivery-timeout")
                        .contains("delay.message.kafka.request-timeout"));
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserEmitter {
        static final MessageEmitter EMITTER = (messages, now) -> messages.stream()
                .map(m -> CompletableFuture.<Void>completedFuture(null)).toList();

        @Bean
        MessageEmitter myEmitter() {
            return EMITTER;
        }
    }
}
