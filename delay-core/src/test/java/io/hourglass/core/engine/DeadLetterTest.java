package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Dead-letter topics: a message that goes DEAD is first copied to {@code <topic>.DLQ} (or where configured). */
@Timeout(30)
class DeadLetterTest {

    private static final long T0 = 1_763_700_000_000L;
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final TopicEmitter emitter = new TopicEmitter();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DelayEngine engine;
    private DelayService service;

    /** Per topic: "ok" (delivered), "permanent" (refused for good), "down" (target unavailable). */
    private static final class TopicEmitter implements MessageEmitter {
        final Map<String, String> behaviour = new ConcurrentHashMap<>();
        final List<DelayMessage> delivered = new CopyOnWriteArrayList<>();

        @Override
        public List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (DelayMessage m : messages) {
                switch (behaviour.getOrDefault(m.topic(), "ok")) {
                    case "permanent" -> futures.add(CompletableFuture.failedFuture(
                            new PermanentFailureException("404 Not Found from the target", null)));
                    case "down" -> futures.add(CompletableFuture.failedFuture(
                            new TargetUnavailableException("connection refused", null)));
                    case "no-metadata" -> futures.add(CompletableFuture.failedFuture(
                            new IllegalStateException("Topic orders.DLQ not present in metadata after 2000 ms")));
                    default -> {
                        delivered.add(m);
                        futures.add(CompletableFuture.completedFuture(null));
                    }
                }
            }
            return futures;
        }
    }

    private void start(DeadLetters deadLetters) {
        start(emitter, deadLetters);
    }

    private void start(MessageEmitter through, DeadLetters deadLetters) {
        engine = new DelayEngine(store, through, new StandaloneCoordinator(8, "test"), clock,
                EngineSettings.defaults().with(new EngineSettings.Retry(2, Duration.ofMillis(10), Duration.ofMillis(10))), registry);
        engine.deadLetterTo(deadLetters);
        AppDirectory apps = new AppDirectory(new InMemoryAppStore(), clock);
        apps.ensureApp("app", "secret", Set.of("orders", "audit"));
        service = new DelayService(engine, store, apps, clock);
        engine.start();
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private DelayMessage submit(String topic) {
        return service.submit("app", new SubmitCommand(topic, "k", "p", Map.of("h", "v"),
                0L, null, null), null).join().message();
    }

    private DelayMessage stored(DelayMessage m) {
        return store.get(m.id()).orElseThrow();
    }

    @Test
    void aPermanentlyFailedMessageIsCopiedToItsDeadLetterTopicWithTheReasonThenMarkedDead() {
        start(new DeadLetters(true, ".DLQ", Map.of()));
        emitter.behaviour.put("orders", "permanent");

        DelayMessage m = submit("orders");

        await().until(() -> stored(m).state() == MessageState.DEAD);
        assertThat(emitter.delivered).hasSize(1);
        DelayMessage copy = emitter.delivered.get(0);
        assertThat(copy.topic()).isEqualTo("orders.DLQ");
        assertThat(copy.id()).isEqualTo(m.id());
        assertThat(copy.payload()).isEqualTo("p");
        assertThat(copy.key()).isEqualTo("k");
        assertThat(copy.headers()).containsEntry("h", "v")
                .containsEntry(DeadLetters.REASON, "permanent-failure")
                .containsEntry(DeadLetters.ATTEMPTS, "1")
                .containsEntry(DeadLetters.ORIGINAL_TOPIC, "orders");
        assertThat(copy.headers().get(DeadLetters.LAST_ERROR)).contains("404 Not Found");
        assertThat(stored(m).lastError()).startsWith("permanent failure:");
        assertThat(registry.counter("hourglass.messages.dead.lettered").count()).isEqualTo(1);
    }

    @Test
    void aMessageThatRanOutOfAttemptsIsDeadLetteredWithThatReason() {
        // a counted failure every time on "orders": neither an outage nor permanent
        MessageEmitter failing = (messages, now) -> {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (DelayMessage msg : messages) {
                futures.add(msg.topic().equals("orders")
                        ? CompletableFuture.failedFuture(new IllegalStateException("503 from the target"))
                        : emitter.emit(List.of(msg), now).get(0));
            }
            return futures;
        };
        start(failing, new DeadLetters(true, ".DLQ", Map.of("orders", "orders-dead")));

        DelayMessage m = submit("orders");
        await().until(() -> stored(m).state() == MessageState.SCHEDULED && stored(m).attempts() >= 1);
        clock.advance(20);

        await().until(() -> stored(m).state() == MessageState.DEAD);
        assertThat(emitter.delivered).singleElement().satisfies(copy -> {
            assertThat(copy.topic()).as("the configured dead-letter topic").isEqualTo("orders-dead");
            assertThat(copy.headers()).containsEntry(DeadLetters.REASON, "attempts-exhausted")
                    .containsEntry(DeadLetters.ATTEMPTS, "2");
            assertThat(copy.headers().get(DeadLetters.LAST_ERROR)).contains("503 from the target");
        });
    }

    @Test
    void whileTheDeadLetterTopicIsDownTheMessageWaitsWithoutSpendingAttemptsAndIsNeverDeadWithoutItsCopy() {
        start(new DeadLetters(true, ".DLQ", Map.of()));
        emitter.behaviour.put("orders", "permanent");
        emitter.behaviour.put("orders.DLQ", "down");

        DelayMessage m = submit("orders");
        for (int round = 0; round < 5; round++) {
            long roundStart = clock.now();
            // each round: fired, refused for good, its copy not taken, back to SCHEDULED (updated in this round)
            await().until(() -> stored(m).state() == MessageState.SCHEDULED && stored(m).updatedAt() >= roundStart
                    && stored(m).lastError() != null);
            assertThat(stored(m).lastError()).contains("dead-letter topic orders.DLQ unavailable");
            assertThat(stored(m).attempts()).as("the dead-letter outage spends no attempt").isZero();
            clock.advance(Duration.ofMinutes(10).toMillis());
        }
        assertThat(emitter.delivered).isEmpty();

        emitter.behaviour.remove("orders.DLQ");
        clock.advance(Duration.ofMinutes(10).toMillis());
        await().until(() -> stored(m).state() == MessageState.DEAD);
        assertThat(emitter.delivered).singleElement().satisfies(c -> assertThat(c.topic()).isEqualTo("orders.DLQ"));
    }

    @Test
    void aCopyThatFailsInAWayThatMayPassIsTriedAgainAndTheMessageIsNotDeadWithoutIt() {
        start(new DeadLetters(true, ".DLQ", Map.of()));
        emitter.behaviour.put("orders", "permanent");
        emitter.behaviour.put("orders.DLQ", "no-metadata"); // a missing topic, or a cluster out of reach

        DelayMessage m = submit("orders");
        await().until(() -> stored(m).state() == MessageState.SCHEDULED && stored(m).lastError() != null);
        assertThat(stored(m).lastError()).contains("dead-letter topic orders.DLQ unavailable");
        assertThat(stored(m).attempts()).isZero();

        emitter.behaviour.remove("orders.DLQ");
        clock.advance(Duration.ofMinutes(10).toMillis());
        await().until(() -> stored(m).state() == MessageState.DEAD);
        assertThat(emitter.delivered).singleElement().satisfies(c -> assertThat(c.topic()).isEqualTo("orders.DLQ"));
    }

    @Test
    void aDeadLetterTopicThatRefusesTheCopyDoesNotKeepTheMessageAliveAndTheReasonSaysSo() {
        start(new DeadLetters(true, ".DLQ", Map.of()));
        emitter.behaviour.put("orders", "permanent");
        emitter.behaviour.put("orders.DLQ", "permanent");

        DelayMessage m = submit("orders");

        await().until(() -> stored(m).state() == MessageState.DEAD);
        assertThat(stored(m).lastError()).contains("dead-letter topic orders.DLQ refused the copy");
    }

    @Test
    void offForATopicOrOffEverywhereMeansNoCopy() {
        start(new DeadLetters(true, ".DLQ", Map.of("orders", "off")));
        emitter.behaviour.put("orders", "permanent");
        DelayMessage m = submit("orders");
        await().until(() -> stored(m).state() == MessageState.DEAD);
        assertThat(emitter.delivered).isEmpty();

        assertThat(DeadLetters.NONE.topicOf("orders")).isNull();
        assertThat(new DeadLetters(true, ".DLQ", Map.of()).topicOf("orders.DLQ")).as("no DLQ of a DLQ").isNull();
        assertThat(new DeadLetters(true, ".DLQ", Map.of()).topicOf("audit")).isEqualTo("audit.DLQ");
    }
}
