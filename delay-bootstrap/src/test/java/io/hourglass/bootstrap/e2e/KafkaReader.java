package io.hourglass.bootstrap.e2e;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/** Reads every record of a topic from the beginning, with the time each was seen. No consumer group. */
final class KafkaReader implements AutoCloseable {

    /** One record as a consumer sees it ({@code headers}: the last value of each, UTF-8). */
    record Seen(String id, long deliverAt, long timestamp, long seenAt, String key, String value,
                Map<String, String> headers) {
    }

    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final Map<String, List<Seen>> byId = new ConcurrentHashMap<>();
    private final List<Seen> all = new ArrayList<>();
    private boolean assigned;

    KafkaReader(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p);
        this.topic = topic;
    }

    /** Polls once (assigning the topic's partitions once they exist). */
    synchronized void poll() {
        if (!assigned) {
            List<PartitionInfo> parts;
            try {
                parts = consumer.partitionsFor(topic, Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                return; // broker not up yet
            }
            if (parts == null || parts.isEmpty()) {
                return;
            }
            List<TopicPartition> tps = parts.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            assigned = true;
        }
        try {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                long seenAt = System.currentTimeMillis();
                Seen s = new Seen(header(r, "x-delay-id"), Long.parseLong(header(r, "x-delay-deliver-at")),
                        r.timestamp(), seenAt, r.key(), r.value(), headers(r));
                byId.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(s);
                all.add(s);
            }
        } catch (RuntimeException e) {
            // broker restarting: poll again later
        }
    }

    private static Map<String, String> headers(ConsumerRecord<?, ?> r) {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        for (Header h : r.headers()) {
            all.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        return all;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    synchronized Map<String, List<Seen>> byId() {
        return Map.copyOf(byId);
    }

    synchronized List<Seen> all() {
        return List.copyOf(all);
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
