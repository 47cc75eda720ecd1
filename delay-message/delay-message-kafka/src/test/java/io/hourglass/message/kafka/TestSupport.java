package io.hourglass.message.kafka;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Helpers shared by the tests: messages, properties, emitters and a consumer that reads a topic back. */
public final class TestSupport {

    private static final MessageIds IDS = new MessageIds();

    private TestSupport() {
    }

    public static DelayMessage message(String topic, String key, String payload, Map<String, String> headers,
                                       long deliverAt) {
        long now = System.currentTimeMillis();
        return DelayMessage.scheduled(IDS.next(7, now), "app-1", topic, key, payload, headers, deliverAt, null, now,
                null);
    }

    /** {@code delay.message.kafka.*} bound from {@code entries} (relative keys) exactly as Boot binds them. */
    public static KafkaMessageProperties properties(Map<String, String> entries) {
        Map<String, String> prefixed = new java.util.HashMap<>();
        entries.forEach((k, v) -> prefixed.put(KafkaMessageProperties.PREFIX + "." + k, v));
        return new Binder(new MapConfigurationPropertySource(prefixed))
                .bindOrCreate(KafkaMessageProperties.PREFIX, Bindable.of(KafkaMessageProperties.class));
    }

    /** An emitter configured as the auto-configuration does, against {@code bootstrapServers}. */
    public static KafkaMessageEmitter emitter(String bootstrapServers, KafkaMessageProperties properties) {
        Map<String, Object> config = KafkaEmitterAutoConfiguration.producerConfig(
                Map.of("bootstrap.servers", bootstrapServers), properties);
        return new KafkaMessageEmitter(new DefaultKafkaProducerFactory<>(config));
    }

    /** A port nothing listens on (bound, then released). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Reads {@code topic} from the beginning until {@code expected} records arrived; fails if more arrive. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic, int expected,
                                                               Duration atMost) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, atMost).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(atMost).pollInterval(Duration.ZERO).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                assertThat(records).hasSizeGreaterThanOrEqualTo(expected);
            });
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        assertThat(records).hasSize(expected);
        return records;
    }
}
