package io.hourglass.message.kafka;

import io.hourglass.core.spi.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@link TopicProvisioner} over Kafka's {@link Admin} client: creates a missing topic, leaves an existing one alone
 * (unlike Spring Kafka's {@code createOrModifyTopics}, which would add partitions to it). One short-lived client per
 * call: allowing a topic is a rare admin action, and a long-lived client would hold connections for nothing.
 */
public final class KafkaTopicProvisioner implements TopicProvisioner {

    private final Supplier<Map<String, Object>> clientConfig;
    private final Duration timeout;

    public KafkaTopicProvisioner(Supplier<Map<String, Object>> clientConfig, Duration timeout) {
        this.clientConfig = clientConfig;
        this.timeout = timeout;
    }

    @Override
    public void ensureTopic(String topic, int partitions, short replicationFactor) {
        NewTopic newTopic = new NewTopic(topic,
                partitions > 0 ? Optional.of(partitions) : Optional.empty(),
                replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty());
        try (Admin admin = Admin.create(clientConfig.get())) {
            admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Kafka refused to create topic '" + topic + "': "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + timeout + " creating topic '" + topic + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted creating topic '" + topic + "'", e);
        }
    }
}
