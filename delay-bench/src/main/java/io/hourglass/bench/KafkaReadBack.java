package io.hourglass.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a topic back on its own thread: every partition assigned by hand (no consumer group, nothing committed),
 * starting at the end offsets taken by {@link #open} — before the run submits anything, so records of earlier runs
 * are never counted. Each record goes to {@link Ledger#observe}.
 */
final class KafkaReadBack implements AutoCloseable {

    static final String ID_HEADER = "x-delay-id";
    static final String DELIVER_AT_HEADER = "x-delay-deliver-at";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Ledger ledger;
    private final int partitions;
    private final Thread thread;
    private final Object progress = new Object();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile TimestampType timestampType;

    private KafkaReadBack(KafkaConsumer<byte[], byte[]> consumer, Ledger ledger, int partitions) {
        this.consumer = consumer;
        this.ledger = ledger;
        this.partitions = partitions;
        this.thread = new Thread(this::run, "bench-kafka-reader");
        this.thread.setDaemon(true);
    }

    /**
     * Connects, assigns every partition of {@code topic} and positions at its current end.
     *
     * @throws ApiClient.UnreachableException when Kafka does not answer within {@code timeout} or has no such topic
     */
    static KafkaReadBack open(String bootstrap, String topic, Ledger ledger, Duration timeout)
            throws ApiClient.UnreachableException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "hourglass-bench");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // only used if a captured offset was deleted
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // a mistyped --topic must not create one
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new ApiClient.UnreachableException("Kafka at " + bootstrap + " has no topic '" + topic
                        + "'; create it (admin console) or pass --topic", null);
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts, timeout);
            ends.forEach(consumer::seek);
            return new KafkaReadBack(consumer, ledger, parts.size());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            consumer.close(Duration.ZERO);
            throw new ApiClient.UnreachableException("Kafka at " + bootstrap + " did not answer within "
                    + timeout.toSeconds() + " s. Is it running? (the standalone server embeds one on :9092)", e);
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            throw new ApiClient.UnreachableException("cannot read topic '" + topic + "' from Kafka at " + bootstrap
                    + ": " + ApiClient.describe(e), e);
        } catch (ApiClient.UnreachableException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    int partitions() {
        return partitions;
    }

    /** The timestamp type of the records seen (CreateTime: the emitter's clock; LogAppendTime: the broker's). */
    TimestampType timestampType() {
        return timestampType;
    }

    void start() {
        thread.start();
    }

    /**
     * Waits until {@code expected} records of this run were seen, the reader failed, or {@code deadlineMs}
     * (epoch ms) passed. Returns whether all were seen.
     */
    boolean awaitSeen(long expected, long deadlineMs) throws InterruptedException {
        synchronized (progress) {
            while (ledger.seen() < expected && failure.get() == null) {
                long left = deadlineMs - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                progress.wait(Math.min(left, 1_000));
            }
        }
        return ledger.seen() >= expected;
    }

    /** Why the reader stopped early, if it did. */
    Throwable failure() {
        return failure.get();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                long seen = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (timestampType == null) {
                        timestampType = r.timestampType();
                    }
                    ledger.observe(r.value(), value(r, ID_HEADER), value(r, DELIVER_AT_HEADER), r.timestamp(), seen);
                }
                if (!records.isEmpty()) {
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (Throwable t) {
            failure.set(t);
            synchronized (progress) {
                progress.notifyAll();
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private static byte[] value(ConsumerRecord<?, ?> record, String header) {
        Header h = record.headers().lastHeader(header);
        return h == null ? null : h.value();
    }

    /** Stops the reader and waits for it, so the ledger can be read. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread.isAlive()) {
            consumer.wakeup();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } else if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
        }
    }
}
