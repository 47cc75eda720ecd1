package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.DeadLetters;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Creates the bootstrap app's topics (and their dead-letter topics, when on) in Kafka at start (Boot's {@link KafkaAdmin} creates declared topics that are
 * missing and leaves existing ones alone), so consumers can subscribe before the first message fires.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(KafkaAdmin.class)
@ConditionalOnProperty(name = "delay.message.type", havingValue = "kafka", matchIfMissing = true)
class BootstrapTopicsConfiguration {

    @Bean
    @ConditionalOnProperty(name = "delay.bootstrap-app.enabled", havingValue = "true", matchIfMissing = true)
    KafkaAdmin.NewTopics bootstrapAppTopics(BootstrapAppProperties app, DeadLetters deadLetters) {
        return new KafkaAdmin.NewTopics(app.topics().stream()
                .flatMap(topic -> java.util.stream.Stream.of(topic, deadLetters.topicOf(topic))) // and its DLQ
                .filter(java.util.Objects::nonNull).distinct()
                .map(topic -> TopicBuilder.name(topic).build()) // partitions and replicas: the broker's defaults
                .toArray(NewTopic[]::new));
    }
}
