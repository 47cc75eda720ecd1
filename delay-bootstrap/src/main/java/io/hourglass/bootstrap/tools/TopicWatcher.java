package io.hourglass.bootstrap.tools;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * Prints the records of a topic as they arrive (used by {@code scripts/watch.sh}); each line shows the message id,
 * its due time, the emit time and the lateness, key, value and headers.
 *
 * <p>Usage: {@code TopicWatcher [topic=demo] [bootstrap=127.0.0.1:9092] [--from-beginning]}
 */
public final class TopicWatcher {

    private TopicWatcher() {
    }

    public static void main(String[] args) throws InterruptedException {
        quietLogging();
        List<String> positional = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).toList();
        boolean fromBeginning = java.util.Arrays.asList(args).contains("--from-beginning");
        String topic = positional.size() > 0 ? positional.get(0) : "demo";
        String bootstrap = positional.size() > 1 ? positional.get(1) : "127.0.0.1:9092";
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<PartitionInfo> parts = List.of();
            System.err.printf("Waiting for topic '%s' on %s (it appears with its first message)...%n", topic, bootstrap);
            while (parts.isEmpty()) {
                try {
                    List<PartitionInfo> found = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                    parts = found == null ? List.of() : found;
                } catch (RuntimeException e) {
                    parts = List.of();
                }
                if (parts.isEmpty()) {
                    Thread.sleep(1_000);
                }
            }
            List<TopicPartition> tps = parts.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(tps);
            if (fromBeginning) {
                consumer.seekToBeginning(tps);
            } else {
                consumer.seekToEnd(tps);
            }
            System.err.printf("Watching '%s' (%d partitions). Ctrl-C to stop.%n", topic, tps.size());
            while (true) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    String due = header(r, "x-delay-deliver-at");
                    long lateness = due == null ? 0 : r.timestamp() - Long.parseLong(due);
                    StringBuilder headers = new StringBuilder();
                    for (Header h : r.headers()) {
                        if (!h.key().startsWith("x-delay-")) {
                            headers.append(' ').append(h.key()).append('=').append(new String(h.value(), StandardCharsets.UTF_8));
                        }
                    }
                    System.out.printf("id=%s due=%s emitted=%s late=%dms key=%s value=%s%s%n", header(r, "x-delay-id"),
                            due == null ? "?" : Instant.ofEpochMilli(Long.parseLong(due)), Instant.ofEpochMilli(r.timestamp()),
                            lateness, r.key(), r.value(), headers);
                }
            }
        }
    }

    private static void quietLogging() {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
