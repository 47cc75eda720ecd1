package io.hourglass.message.kafka;

import io.hourglass.core.model.DelayMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.kafka.test.condition.EmbeddedKafkaCondition;
import org.springframework.kafka.test.context.EmbeddedKafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

import static io.hourglass.message.kafka.TestSupport.emitter;
import static io.hourglass.message.kafka.TestSupport.message;
import static io.hourglass.message.kafka.TestSupport.properties;
import static io.hourglass.message.kafka.TestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The emitter against a real KRaft broker (spring-kafka-test), records read back with a real consumer. */
// bootstrapServersProperty: keep spring-kafka-test from leaking spring.kafka.bootstrap-servers into later test classes
@EmbeddedKafka(kraft = true, partitions = 2, topics = {"layout", "null-key", "bulk", "mixed", "tenant-a"},
        brokerProperties = "auto.create.topics.enable=false", // a topic nobody created stays missing
        bootstrapServersProperty = "hourglass.test.kafka.brokers")
class KafkaMessageEmitterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static String brokers;

    private final List<KafkaMessageEmitter> emitters = new ArrayList<>();

    @BeforeAll
    static void broker() {
        brokers = EmbeddedKafkaCondition.getBroker().getBrokersAsString();
    }

    @AfterEach
    void closeEmitters() {
        emitters.forEach(KafkaMessageEmitter::close);
    }

    private KafkaMessageEmitter newEmitter(String bootstrapServers, Map<String, String> properties) {
        KafkaMessageEmitter emitter = emitter(bootstrapServers, properties(properties));
        emitters.add(emitter);
        return emitter;
    }

    @Test
    @Timeout(60)
    void emittedRecordHasTheDocumentedLayout() throws Exception {
        Map<String, String> own = new LinkedHashMap<>();
        own.put("trace-id", "abc-123");
        own.put("note", "grüße ✓");
        own.put(DelayHeaders.ID, "forged"); // a user header must not shadow ours
        long deliverAt = 1_800_000_000_000L;
        long now = deliverAt + 42;
        DelayMessage message = message("layout", "order-17", "{\"amount\":\"12€\"}", own, deliverAt);

        List<CompletableFuture<Void>> futures = newEmitter(brokers, Map.of()).emit(List.of(message), now);
        assertThat(futures).hasSize(1);
        futures.get(0).get();

        ConsumerRecord<byte[], byte[]> record = readAll(brokers, "layout", 1, WAIT).get(0);
        assertThat(record.topic()).isEqualTo("layout");
        assertThat(utf8(record.key())).isEqualTo("order-17");
        assertThat(record.value()).isEqualTo("{\"amount\":\"12€\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(record.timestamp()).isEqualTo(now);
        assertThat(record.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        Header[] headers = record.headers().toArray();
        assertThat(Arrays.stream(headers).map(Header::key)).containsExactly(
                DelayHeaders.ID, DelayHeaders.DELIVER_AT, DelayHeaders.APP_KEY, "trace-id", "note");
        assertThat(utf8(headers[0].value())).isEqualTo(message.idString());
        assertThat(utf8(headers[1].value())).isEqualTo("1800000000000");
        assertThat(utf8(headers[2].value())).isEqualTo("app-1");
        assertThat(utf8(headers[3].value())).isEqualTo("abc-123");
        assertThat(utf8(headers[4].value())).isEqualTo("grüße ✓");
    }

    @Test
    @Timeout(60)
    void messageWithoutKeyIsEmittedWithNullKey() throws Exception {
        DelayMessage message = message("null-key", null, "p", Map.of(), 1000L);

        newEmitter(brokers, Map.of()).emit(List.of(message), 2000L).get(0).get();

        ConsumerRecord<byte[], byte[]> record = readAll(brokers, "null-key", 1, WAIT).get(0);
        assertThat(record.key()).isNull();
        assertThat(utf8(record.value())).isEqualTo("p");
        assertThat(record.headers().headers(DelayHeaders.ID)).hasSize(1);
    }

    @Test
    @Timeout(120)
    void batchOfThousandIsEmittedAndEveryFutureCompletes() {
        long now = System.currentTimeMillis();
        List<DelayMessage> batch = IntStream.range(0, 1000)
                .mapToObj(i -> message("bulk", "k" + i, "payload-" + i, Map.of("i", String.valueOf(i)), now))
                .toList();

        List<CompletableFuture<Void>> futures = newEmitter(brokers, Map.of()).emit(batch, now);

        assertThat(futures).hasSize(1000);
        await().atMost(WAIT).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
        assertThat(futures).noneMatch(CompletableFuture::isCompletedExceptionally);
        List<ConsumerRecord<byte[], byte[]>> records = readAll(brokers, "bulk", 1000, WAIT);
        assertThat(records.stream().map(r -> utf8(r.headers().lastHeader(DelayHeaders.ID).value())))
                .containsExactlyInAnyOrderElementsOf(batch.stream().map(DelayMessage::idString).toList());
    }

    @Test
    @Timeout(60)
    void recordTooLargeFailsOnlyThatMessage() throws Exception {
        KafkaMessageEmitter emitter = newEmitter(brokers, Map.of());
        String huge = "x".repeat(2 * 1024 * 1024); // above the producer's max.request.size (1 MiB)
        List<DelayMessage> batch = List.of(
                message("mixed", "a", "small-1", Map.of(), 1L),
                message("mixed", "b", huge, Map.of(), 1L),
                message("mixed", "c", "small-2", Map.of(), 1L));

        List<CompletableFuture<Void>> futures = emitter.emit(batch, 10L);

        futures.get(0).get();
        futures.get(2).get();
        assertThat(causeOf(futures.get(1))).as("the record itself is refused: permanent, DEAD at once")
                .isInstanceOf(io.hourglass.core.spi.MessageEmitter.PermanentFailureException.class)
                .hasCauseInstanceOf(RecordTooLargeException.class);
        assertThat(readAll(brokers, "mixed", 2, WAIT)).extracting(r -> utf8(r.value()))
                .containsExactlyInAnyOrder("small-1", "small-2");
    }

    @Test
    @Timeout(60)
    void oneTenantsMissingTopicFailsOnlyItsOwnMessagesNotTheOthersOfTheBatch() throws Exception {
        KafkaMessageEmitter emitter = newEmitter(brokers, Map.of("max-block", "1s"));
        List<DelayMessage> batch = List.of(
                message("tenant-a", "a", "before", Map.of(), 1L),
                message("no-such-topic", "b", "lost-cause", Map.of(), 1L),
                message("tenant-a", "c", "after", Map.of(), 1L),
                message("no-such-topic", "d", "lost-cause-2", Map.of(), 1L));

        List<CompletableFuture<Void>> futures = emitter.emit(batch, 10L);

        futures.get(0).get();
        futures.get(2).get();
        assertThat(causeOf(futures.get(1))).isInstanceOf(TimeoutException.class);
        assertThat(causeOf(futures.get(3))).as("not tried again: the engine retries it without counting an attempt")
                .isInstanceOf(io.hourglass.core.spi.MessageEmitter.NotAttemptedException.class);
        assertThat(readAll(brokers, "tenant-a", 2, WAIT)).extracting(r -> utf8(r.value()))
                .containsExactlyInAnyOrder("before", "after");
    }

    @Test
    @Timeout(30)
    void unreachableBrokerFailsEveryFutureOfTheBatchFastAndEmitDoesNotThrow() {
        String closedPort = "127.0.0.1:" + TestSupport.freePort();
        KafkaMessageEmitter emitter = newEmitter(closedPort, Map.of("max-block", "500ms"));
        List<DelayMessage> batch = new ArrayList<>();
        batch.add(message("t1", "k", "p", Map.of(), 1L));
        batch.add(message("t1", "k", "p", Map.of(), 1L));
        batch.add(message("t2", "k", "p", Map.of(), 1L));
        IntStream.range(0, 200).forEach(i -> batch.add(message("t" + (i % 5), "k", "p", Map.of(), 1L)));

        List<CompletableFuture<Void>> futures = emitter.emit(batch, 2L);

        assertThat(futures).hasSize(batch.size());
        // two metadata timeouts (t1, then t2) prove the cluster unreachable; the rest is failed without trying, and
        // none of it is a failure of a message: an outage spends no attempt (issue 11)
        await().atMost(Duration.ofSeconds(5)).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
        assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(causeOf(futures.get(0))).isInstanceOf(io.hourglass.core.spi.MessageEmitter.TargetUnavailableException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(causeOf(futures.get(1))).isInstanceOf(KafkaMessageEmitter.SkippedSendException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(causeOf(futures.get(2))).isInstanceOf(io.hourglass.core.spi.MessageEmitter.TargetUnavailableException.class);
        assertThat(futures).allSatisfy(f -> assertThat(causeOf(f))
                .isInstanceOf(io.hourglass.core.spi.MessageEmitter.NotAttemptedException.class));
        assertThat(futures.subList(3, futures.size())).allSatisfy(f ->
                assertThat(causeOf(f)).isInstanceOf(KafkaMessageEmitter.SkippedSendException.class));
    }

    @Test
    void retriableErrorsAfterTheRecordWasQueuedAreAnOutageNotAMessageFailure() {
        assertThat(KafkaMessageEmitter.asyncFailure(new org.apache.kafka.common.errors.NetworkException("gone")))
                .isInstanceOf(io.hourglass.core.spi.MessageEmitter.TargetUnavailableException.class);
        assertThat(KafkaMessageEmitter.asyncFailure(new TimeoutException("delivery timeout")))
                .isInstanceOf(io.hourglass.core.spi.MessageEmitter.TargetUnavailableException.class);
        assertThat(KafkaMessageEmitter.asyncFailure(new org.apache.kafka.common.errors.NotEnoughReplicasException("isr")))
                .isInstanceOf(io.hourglass.core.spi.MessageEmitter.TargetUnavailableException.class);
        assertThat(KafkaMessageEmitter.asyncFailure(new RecordTooLargeException("big")))
                .isInstanceOf(io.hourglass.core.spi.MessageEmitter.PermanentFailureException.class);
        assertThat(KafkaMessageEmitter.asyncFailure(new org.apache.kafka.common.errors.TopicAuthorizationException("no")))
                .as("authorization counts as an attempt").isInstanceOf(
                        org.apache.kafka.common.errors.TopicAuthorizationException.class);
    }

    @Test
    @Timeout(30)
    void closedEmitterFailsEveryFutureWithoutThrowing() {
        KafkaMessageEmitter emitter = newEmitter(brokers, Map.of());
        emitter.close();

        List<CompletableFuture<Void>> futures = emitter.emit(List.of(
                message("layout", "k", "p", Map.of(), 1L), message("layout", "k", "p", Map.of(), 1L)), 2L);

        assertThat(futures).hasSize(2).allSatisfy(f -> assertThat(causeOf(f))
                .isInstanceOf(KafkaMessageEmitter.SkippedSendException.class)
                .hasCauseInstanceOf(IllegalStateException.class));
    }

    private static Throwable causeOf(CompletableFuture<Void> future) {
        try {
            future.get();
            throw new AssertionError("future completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
