package io.hourglass.message.kafka;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.MessageEmitter;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.kafka.mock.MockProducerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static io.hourglass.message.kafka.TestSupport.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A producer that never answers (what an idempotent Kafka producer does while it waits for a producer id from a
 * broker that is gone: it stops expiring records) must not hold the engine's futures forever. A narrow unit check:
 * the real-broker outage is {@code AtLeastOnceKafkaDownIT}.
 */
class KafkaAckGuardTest {

    @Test
    @Timeout(30)
    void atLeastOnce_aProducerThatNeverAnswersFailsTheFuturesAsAnOutageAndPausesSends() throws Exception {
        // autoComplete=false: every send stays pending until the test completes it
        MockProducer<byte[], byte[]> producer = pendingProducer();
        KafkaMessageEmitter emitter = new KafkaMessageEmitter(new MockProducerFactory<>(() -> producer), Duration.ofMillis(300));
        try {
            DelayMessage m = message("t", "k", "p", Map.of(), 1L);
            List<CompletableFuture<Void>> first = emitter.emit(List.of(m, m), 2L);
            assertThat(first).noneMatch(CompletableFuture::isDone);

            await().atMost(Duration.ofSeconds(5)).until(() -> first.stream().allMatch(CompletableFuture::isDone));
            assertThat(first).allSatisfy(f -> assertThat(causeOf(f))
                    .as("an outage: no attempt spent").isInstanceOf(MessageEmitter.TargetUnavailableException.class));

            // stalled: the next batch fails at once and queues no second copy in the producer
            List<CompletableFuture<Void>> second = emitter.emit(List.of(m), 3L);
            assertThat(second).allMatch(CompletableFuture::isCompletedExceptionally);
            assertThat(causeOf(second.get(0))).isInstanceOf(MessageEmitter.TargetUnavailableException.class);
            assertThat(producer.history()).hasSize(2);

            // the producer answers again (the broker is back): sends resume
            producer.completeNext();
            List<CompletableFuture<Void>> third = emitter.emit(List.of(m), 4L);
            assertThat(producer.history()).hasSize(3);
            while (producer.completeNext()) {
                // acknowledge everything queued
            }
            third.get(0).get();
        } finally {
            emitter.close();
        }
    }

    @Test
    @Timeout(30)
    void aStalledEmitterLetsOneBatchProbeAfterAGuardPeriod() {
        MockProducer<byte[], byte[]> producer = pendingProducer();
        KafkaMessageEmitter emitter = new KafkaMessageEmitter(new MockProducerFactory<>(() -> producer), Duration.ofMillis(200));
        try {
            DelayMessage m = message("t", "k", "p", Map.of(), 1L);
            List<CompletableFuture<Void>> first = emitter.emit(List.of(m), 2L);
            await().atMost(Duration.ofSeconds(5)).until(() -> first.get(0).isDone());
            assertThat(emitter.emit(List.of(m), 3L).get(0)).isCompletedExceptionally();
            assertThat(producer.history()).hasSize(1);
            // a guard period later one batch is sent again, so a producer whose old records are lost is probed
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !emitter.emit(List.of(m), 4L).get(0).isDone());
            assertThat(producer.history()).hasSize(2);
        } finally {
            emitter.close();
        }
    }

    /** Sends stay pending until the test completes them; the template's close after a send is ignored. */
    private static MockProducer<byte[], byte[]> pendingProducer() {
        return new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void close(Duration timeout) {
            }
        };
    }

    private static Throwable causeOf(CompletableFuture<Void> future) throws InterruptedException {
        try {
            future.get();
            throw new AssertionError("future completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
