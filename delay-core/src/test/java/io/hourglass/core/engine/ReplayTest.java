package io.hourglass.core.engine;

import io.hourglass.core.error.AppDisabledException;
import io.hourglass.core.error.EmitFailedException;
import io.hourglass.core.error.InvalidStateException;
import io.hourglass.core.error.MessageNotFoundException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Replay: a DELIVERED message emitted again with {@code x-delay-replay: true}, the message itself unchanged. */
@Timeout(30)
class ReplayTest {

    private static final long T0 = 1_763_700_000_000L;
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<DelayMessage> emitted = new CopyOnWriteArrayList<>();
    /** null: acknowledge; otherwise the failure every emit gets. */
    private volatile RuntimeException failWith;
    private DelayEngine engine;
    private DelayService service;
    private AppDirectory apps;
    private final InMemoryAppStore appStore = new InMemoryAppStore();

    @BeforeEach
    void start() {
        MessageEmitter emitter = (messages, now) -> {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (DelayMessage m : messages) {
                RuntimeException failure = failWith;
                if (failure == null) {
                    emitted.add(m);
                    acks.add(CompletableFuture.completedFuture(null));
                } else {
                    acks.add(CompletableFuture.failedFuture(failure));
                }
            }
            return acks;
        };
        engine = new DelayEngine(store, emitter, new StandaloneCoordinator(8, "test"), clock,
                EngineSettings.defaults().with(new EngineSettings.Retry(5, Duration.ofMillis(10), Duration.ofMillis(10))), registry);
        apps = new AppDirectory(appStore, clock);
        apps.ensureApp("app", "secret", Set.of("orders"));
        apps.ensureApp("other", "secret-2", Set.of("orders"));
        service = new DelayService(engine, store, apps, clock);
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private DelayMessage delivered() {
        DelayMessage m = service.submit("app", new SubmitCommand("orders", "k", "p", Map.of("h", "v"), 0L, null, null), null).join().message();
        await().until(() -> store.get(m.id()).orElseThrow().state() == MessageState.DELIVERED);
        emitted.clear();
        return store.get(m.id()).orElseThrow();
    }

    @Test
    void aReplayedMessageIsEmittedAgainWithTheReplayHeaderAndStaysDelivered() {
        DelayMessage m = delivered();

        DelayMessage answer = service.replay("app", m.idString());

        assertThat(answer.id()).isEqualTo(m.id());
        assertThat(emitted).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(m.id());
            assertThat(r.topic()).isEqualTo("orders");
            assertThat(r.key()).isEqualTo("k");
            assertThat(r.payload()).isEqualTo("p");
            assertThat(r.headers()).containsEntry("h", "v").containsEntry(Replay.HEADER, "true");
        });
        assertThat(store.get(m.id()).orElseThrow()).as("a replay changes nothing in the store").isEqualTo(m);
        assertThat(registry.counter("hourglass.messages.replayed").count()).isEqualTo(1);

        service.replay("app", m.idString());
        assertThat(emitted).as("a replay can be repeated").hasSize(2);
    }

    @Test
    void onlyDeliveredMessagesOfTheAppAreReplayed() {
        DelayMessage m = delivered();
        DelayMessage scheduled = service.submit("app", new SubmitCommand("orders", "k", "p", null,
                60_000L, null, null), null).join().message();

        assertThatThrownBy(() -> service.replay("app", scheduled.idString()))
                .isInstanceOf(InvalidStateException.class).hasMessageContaining("SCHEDULED");
        assertThatThrownBy(() -> service.replay("other", m.idString()))
                .as("another app's message is not found").isInstanceOf(MessageNotFoundException.class);
        assertThatThrownBy(() -> service.replay("app", "nonsense")).isInstanceOf(MessageNotFoundException.class);
        assertThat(emitted).isEmpty();
    }

    @Test
    void aDisabledAppsMessagesAreNotReplayed() {
        DelayMessage m = delivered();
        io.hourglass.core.model.App app = appStore.findApp("app").orElseThrow();
        assertThat(appStore.updateApp(app.withEnabled(false).touched(clock.now()))).isTrue();
        apps.invalidate("app");

        assertThatThrownBy(() -> service.replay("app", m.idString())).isInstanceOf(AppDisabledException.class);
        assertThat(emitted).isEmpty();
    }

    @Test
    void aTargetThatDoesNotAcknowledgeIsReportedRetryableOrNot() {
        DelayMessage m = delivered();

        failWith = new MessageEmitter.TargetUnavailableException("broker down", null);
        assertThatThrownBy(() -> service.replay("app", m.idString())).isInstanceOfSatisfying(
                EmitFailedException.class, e -> assertThat(e.code()).isEqualTo("target-unavailable"));
        failWith = new MessageEmitter.PermanentFailureException("record too large", null);
        assertThatThrownBy(() -> service.replay("app", m.idString())).isInstanceOfSatisfying(
                EmitFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("emit-refused");
                    assertThat(e.publicDetail()).doesNotContain("record too large");
                });
        assertThat(store.get(m.id()).orElseThrow()).as("a failed replay changes nothing").isEqualTo(m);
        assertThat(registry.counter("hourglass.messages.replayed").count()).isZero();
    }

    @Test
    void manyAtOnceFailOnlyTheMessagesThatCannotBeReplayed() {
        DelayMessage a = delivered();
        DelayMessage b = delivered();
        DelayMessage scheduled = service.submit("app", new SubmitCommand("orders", "k", "p", null,
                60_000L, null, null), null).join().message();

        List<CompletableFuture<Void>> acks = service.replay(List.of(a, scheduled, b));

        assertThat(acks).hasSize(3);
        acks.get(0).join();
        acks.get(2).join();
        assertThatThrownBy(acks.get(1)::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InvalidStateException.class);
        assertThat(emitted).extracting(DelayMessage::id).containsExactly(a.id(), b.id());
    }
}
