package io.hourglass.core.engine;

import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.hourglass.core.testing.RecordingEmitter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Message TTL: a message not emitted by its expiresAt never is; it goes EXPIRED (checked at claim). */
@Timeout(30)
class TtlTest {

    private static final long T0 = 1_763_700_000_000L;
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final RecordingEmitter emitter = new RecordingEmitter();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DelayEngine engine;
    private DelayService service;

    @BeforeEach
    void start() {
        engine = new DelayEngine(store, emitter, new StandaloneCoordinator(8, "test"), clock,
                EngineSettings.defaults().with(new EngineSettings.Retry(30, Duration.ofMillis(100), Duration.ofMillis(100))), registry);
        AppDirectory apps = new AppDirectory(new InMemoryAppStore(), clock);
        apps.ensureApp("app", "secret", Set.of("t"));
        service = new DelayService(engine, store, apps, clock);
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private DelayMessage submit(long delayMs, Long ttlMs, Long expiresAt) {
        return service.submit("app", new SubmitCommand("t", null, "p", Map.of(), delayMs, null, null, ttlMs, expiresAt),
                null).join().message();
    }

    private DelayMessage stored(DelayMessage m) {
        return store.get(m.id()).orElseThrow();
    }

    @Test
    void ttlMsAndExpiresAtAreStoredAsAnAbsoluteExpiry() {
        assertThat(submit(1_000, 60_000L, null).expiresAt()).isEqualTo(T0 + 60_000);
        assertThat(submit(1_000, null, T0 + 5_000).expiresAt()).isEqualTo(T0 + 5_000);
        assertThat(submit(1_000, null, null).expiresAt()).as("never").isZero();
    }

    @Test
    void badInputChangesNothing_anExpiryThatCouldNeverBeMetIsRefused() {
        int before = store.all().size();
        assertThatThrownBy(() -> submit(10_000, 5_000L, null)).as("expires before it is due")
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> submit(1_000, 5_000L, T0 + 9_000)).as("both")
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> submit(0, null, T0 - 1)).as("in the past")
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> submit(0, 0L, null)).as("zero ttl")
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ValidationException.class);
        assertThat(store.all()).hasSize(before);
    }

    @Test
    void aMessageWhoseTargetIsDownPastItsTtlEndsExpiredAndIsNeverEmitted() {
        emitter.setDown(true);
        DelayMessage m = submit(0, 1_000L, null);
        await().until(() -> emitter.attempts() >= 1 && stored(m).state() == MessageState.SCHEDULED);

        clock.advance(1_000); // past the TTL while the target is still down
        emitter.setDown(false);

        await().until(() -> stored(m).state() == MessageState.EXPIRED);
        assertThat(emitter.emittedIds()).doesNotContain(m.id());
        assertThat(stored(m).lastError()).contains("expired");
        assertThat(registry.counter("hourglass.messages.expired").count()).isEqualTo(1);
        clock.advance(60_000);
        assertThat(emitter.emittedIds()).as("never emitted afterwards").doesNotContain(m.id());
    }

    @Test
    void neverEarly_aMessageDueBeforeItsExpiryIsDeliveredAtItsDueTime() {
        DelayMessage m = submit(2_000, 60_000L, null);
        clock.advance(1_999);
        assertThat(emitter.emittedIds()).doesNotContain(m.id());
        clock.advance(1);
        await().until(() -> stored(m).state() == MessageState.DELIVERED);
        assertThat(emitter.emitted().get(0).emittedAt()).isGreaterThanOrEqualTo(m.deliverAt());
    }

    @Test
    void anExpiredMessageIsCopiedToTheDeadLetterTopicWithReasonExpired() {
        engine.deadLetterTo(new DeadLetters(true, ".DLQ", Map.of()));
        emitter.setDown(true);
        DelayMessage m = submit(0, 500L, null);
        await().until(() -> emitter.attempts() >= 1 && stored(m).state() == MessageState.SCHEDULED);
        clock.advance(500);
        emitter.setDown(false);

        await().until(() -> stored(m).state() == MessageState.EXPIRED);
        List<RecordingEmitter.Emitted> copies = emitter.emitted();
        assertThat(copies).singleElement().satisfies(e -> {
            assertThat(e.message().topic()).isEqualTo("t.DLQ");
            assertThat(e.message().headers()).containsEntry(DeadLetters.REASON, "expired");
        });
    }
}
