package io.hourglass.core.engine;

import io.hourglass.core.error.IdempotencyKeyReusedException;
import io.hourglass.core.error.OverloadedException;
import io.hourglass.core.error.ValidationException;
import io.hourglass.core.model.App;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.hourglass.core.testing.RecordingEmitter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12, the engine's part: bad input changes nothing, one tenant's bad message fails only itself, the write
 * queue is bounded in bytes, idempotency keys are exact, disabled apps are not emitted, and memory is shared fairly
 * among slots. Each test fails on the code before the fix it names.
 */
@Timeout(60)
class EdgeHardeningTest {

    private static final long T0 = 1_763_700_000_000L;
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final InMemoryAppStore appStore = new InMemoryAppStore();
    private final RecordingEmitter emitter = new RecordingEmitter();
    private DelayEngine engine;
    private DelayService service;
    private AppDirectory apps;

    private void start(EngineSettings settings) {
        start(settings, emitter);
    }

    private void start(EngineSettings settings, MessageEmitter through) {
        engine = new DelayEngine(store, through, new StandaloneCoordinator(8, "test"), clock, settings,
                new SimpleMeterRegistry());
        apps = new AppDirectory(appStore, clock);
        apps.ensureApp("app", "secret", Set.of("t"));
        apps.ensureApp("other", "secret", Set.of("t"));
        service = new DelayService(engine, store, apps, clock);
        engine.start();
    }

    private void start() {
        start(EngineSettings.defaults());
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private static SubmitCommand cmd(String payload) {
        return new SubmitCommand("t", null, payload, null, 5_000L, null, null);
    }

    private static Throwable cause(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    // ------------------------------------------------------------------ bad input changes nothing

    @Test
    void badInputChangesNothing_controlCharactersInKeysHeaderNamesValuesAndIdempotencyKeysAreRefused() {
        start();
        List<CompletableFuture<SubmitResult>> calls = List.of(
                service.submit("app", new SubmitCommand("t", "a\u0000b", "p", null, 5_000L, null, null), null),
                service.submit("app", new SubmitCommand("t", null, "p", Map.of("x\r\ny", "v"), 5_000L, null, null), null),
                service.submit("app", new SubmitCommand("t", null, "p", Map.of("x", "v\n"), 5_000L, null, null), null),
                service.submit("app", new SubmitCommand("t", null, "p", Map.of("x", "v\u007F"), 5_000L, null, null), null),
                service.submit("app", cmd("p"), "key\r\nInjected: 1"));
        assertThat(calls).allSatisfy(f -> assertThat(cause(f)).isInstanceOf(ValidationException.class));
        assertThat(store.all()).isEmpty();
        // a tab in a payload is data, not a key: payloads may hold anything
        assertThat(service.submit("app", cmd("line 1\nline\t2\u0000"), null).join().created()).isTrue();
    }

    @Test
    void badInputChangesNothing_headersThatWouldNotFitTheStoreAreRefusedUpFront() {
        start();
        Map<String, String> huge = new LinkedHashMap<>();
        for (int i = 0; i < 32; i++) {
            huge.put("h" + i, "\uD83D\uDE00".repeat(512)); // 1024 chars, 2048 UTF-8 bytes each: 64 KiB in all
        }
        assertThatThrownBy(() -> service.submit("app", new SubmitCommand("t", null, "p", huge, 5_000L, null, null), null)
                .join()).hasCauseInstanceOf(ValidationException.class).hasMessageContaining("16384 bytes");
        Map<String, String> quotes = new LinkedHashMap<>();
        for (int i = 0; i < 16; i++) {
            quotes.put("q" + i, "\"".repeat(600)); // 600 characters that JSON doubles: 19 KiB encoded
        }
        assertThatThrownBy(() -> service.submit("app", new SubmitCommand("t", null, "p", quotes, 5_000L, null, null), null)
                .join()).hasCauseInstanceOf(ValidationException.class);
        assertThat(store.all()).isEmpty();

        Map<String, String> fits = new LinkedHashMap<>();
        for (int i = 0; i < 32; i++) {
            fits.put("h" + i, "v".repeat(400));
        }
        assertThat(service.submit("app", new SubmitCommand("t", null, "p", fits, 5_000L, null, null), null).join()
                .created()).isTrue();
    }

    @Test
    void badInputChangesNothing_anExtendMsThatOverflowsIsAValidationError() {
        start();
        DelayMessage m = service.submit("app", cmd("p"), null).join().message();
        for (long extend : new long[] {Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThatThrownBy(() -> service.reschedule("app", m.idString(), new RescheduleCommand(null, null, extend)))
                    .isInstanceOf(ValidationException.class);
        }
        assertThatThrownBy(() -> service.reschedule("app", m.idString(), new RescheduleCommand(Long.MAX_VALUE, null, null)))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> service.reschedule("app", m.idString(), new RescheduleCommand(Long.MIN_VALUE, null, null)))
                .isInstanceOf(ValidationException.class);
        assertThat(store.get(m.id()).orElseThrow()).isEqualTo(m);
    }

    @Test
    void repeatingMessagesBelowTheMinimumIntervalOfOneSecondAreRefused() {
        start();
        assertThat(cause(service.submit("app", new SubmitCommand("t", null, "p", null, 5_000L, null, 999L), null)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("repeatIntervalMs");
        assertThat(store.all()).isEmpty();
        assertThat(service.submit("app", new SubmitCommand("t", null, "p", null, 5_000L, null, 1_000L), null).join()
                .created()).isTrue();
    }

    // ------------------------------------------------------------------ one tenant's bad message

    @Test
    void oneTenantsMessageThatTheStoreRefusesFailsOnlyThatMessageNotItsGroupCommit() throws Exception {
        start();
        store.refuse(m -> m.payload().equals("poison"));
        List<CompletableFuture<SubmitResult>> good = new ArrayList<>();
        CompletableFuture<SubmitResult> poison;
        synchronized (store) { // the writer waits on the store: everything below queues up for one commit
            good.add(service.submit("other", cmd("first"), null));
            Thread.sleep(100);
            for (int i = 0; i < 20; i++) {
                good.add(service.submit("other", cmd("good-" + i), null));
            }
            poison = service.submit("app", cmd("poison"), null);
            for (int i = 0; i < 20; i++) {
                good.add(service.submit("app", cmd("mine-" + i), null));
            }
        }
        assertThat(cause(poison)).isInstanceOf(ValidationException.class);
        assertThat(good).allSatisfy(f -> assertThat(f.join().created()).isTrue());
        assertThat(store.all()).hasSize(41).noneMatch(m -> m.payload().equals("poison"));
    }

    // ------------------------------------------------------------------ bytes in flight

    @Test
    void theWriteQueueIsBoundedInBytesAndSheds503RatherThanGrowing() throws Exception {
        start(EngineSettings.defaults().with(EngineSettings.Writes.DEFAULTS.withMaxQueuedBytes(1024 * 1024)));
        String big = "x".repeat(200_000); // ~400 KB on the heap while it waits
        List<CompletableFuture<SubmitResult>> calls = new ArrayList<>();
        synchronized (store) { // the writer is stuck on its first insert: the queue fills
            calls.add(service.submit("app", cmd(big), null));
            Thread.sleep(100);
            for (int i = 0; i < 6; i++) {
                calls.add(service.submit("app", cmd(big), null));
            }
        }
        long refused = calls.stream().filter(f -> cause(f) instanceof OverloadedException).count();
        long stored = calls.stream().filter(f -> cause(f) == null).count();
        assertThat(refused).as("over the byte budget: 503").isGreaterThanOrEqualTo(3);
        assertThat(stored).as("what fits in 1 MiB is queued").isGreaterThanOrEqualTo(2);
        assertThat(store.all()).hasSize((int) stored);
        await().until(() -> engine.queuedBytes() == 0); // every answered submit gave its bytes back
        assertThat(service.submit("app", cmd(big), null).join().created()).isTrue();
    }

    @Test
    void aSubmitThatWaitsTooLongForAFrozenStoreIs503AndNeverStored() throws Exception {
        start(EngineSettings.defaults().with(EngineSettings.Writes.DEFAULTS.withMaxWait(Duration.ofMillis(300))));
        CompletableFuture<SubmitResult> inCommit;
        List<CompletableFuture<SubmitResult>> queued = new ArrayList<>();
        long refusedWithin;
        synchronized (store) { // the writer is stuck in its commit, as on a frozen database
            inCommit = service.submit("app", cmd("taken by the writer"), null);
            Thread.sleep(100);
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                queued.add(service.submit("app", cmd("queued-" + i), "q-" + i));
            }
            CompletableFuture.allOf(queued.stream().map(f -> f.exceptionally(e -> null))
                    .toArray(CompletableFuture[]::new)).get(5, java.util.concurrent.TimeUnit.SECONDS);
            refusedWithin = (System.nanoTime() - start) / 1_000_000;
        }
        assertThat(queued).allSatisfy(f -> assertThat(cause(f)).isInstanceOf(OverloadedException.class)
                .hasMessageContaining("max-write-wait"));
        assertThat(refusedWithin).as("answered while the store is still frozen").isLessThan(3_000);
        assertThat(inCommit.join().created()).isTrue();
        Thread.sleep(200);
        assertThat(store.all()).as("503 means not stored").extracting(DelayMessage::payload)
                .containsExactly("taken by the writer");
        // a retry with the same key after the store is back stores it once
        assertThat(service.submit("app", cmd("queued-0"), "q-0").join().created()).isTrue();
    }

    // ------------------------------------------------------------------ idempotency keys are exact

    @Test
    void reusingAnIdempotencyKeyWithADifferentRequestIsRefusedAndStoresNothing() {
        start();
        SubmitResult first = service.submit("app", cmd("a"), "order-7").join();
        assertThat(cause(service.submit("app", cmd("b"), "order-7"))).isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(cause(service.submit("app", new SubmitCommand("t", null, "a", null, 6_000L, null, null), "order-7")))
                .as("another due time is another request").isInstanceOf(IdempotencyKeyReusedException.class);
        SubmitResult again = service.submit("app", cmd("a"), "order-7").join();
        assertThat(again.created()).isFalse();
        assertThat(again.message().id()).isEqualTo(first.message().id());
        assertThat(store.all()).hasSize(1);
        // headers in another order are the same request
        Map<String, String> ordered = new LinkedHashMap<>();
        ordered.put("x", "1");
        ordered.put("y", "2");
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("y", "2");
        reversed.put("x", "1");
        service.submit("app", new SubmitCommand("t", null, "p", ordered, 5_000L, null, null), "hdr").join();
        assertThat(service.submit("app", new SubmitCommand("t", null, "p", reversed, 5_000L, null, null), "hdr").join()
                .created()).isFalse();
    }

    @Test
    void twoRequestsWithOneKeyInOneGroupCommitAreTold() throws Exception {
        start();
        CompletableFuture<SubmitResult> a;
        CompletableFuture<SubmitResult> b;
        CompletableFuture<SubmitResult> a2;
        synchronized (store) {
            service.submit("app", cmd("warm-up"), null);
            Thread.sleep(100);
            a = service.submit("app", cmd("a"), "same");
            b = service.submit("app", cmd("b"), "same");
            a2 = service.submit("app", cmd("a"), "same");
        }
        assertThat(a.join().created()).isTrue();
        assertThat(cause(b)).isInstanceOf(IdempotencyKeyReusedException.class);
        assertThat(a2.join().message().id()).isEqualTo(a.join().message().id());
    }

    @Test
    void batchEntryKeysLiveInTheirOwnNamespace() {
        start();
        List<SubmitCommand> batch = List.of(cmd("e0"), cmd("e1"));
        List<SubmitResult> entries = service.submitAll("app", batch, "K").stream().map(CompletableFuture::join).toList();
        SubmitResult single = service.submit("app", cmd("e0"), "K#0").join();
        assertThat(single.created()).as("a single submit's key K#0 is not batch K's entry 0").isTrue();
        assertThat(single.message().id()).isNotEqualTo(entries.get(0).message().id());
        assertThat(service.submitAll("app", batch, "K").stream().map(CompletableFuture::join))
                .allSatisfy(r -> assertThat(r.created()).isFalse());
        assertThat(store.all()).hasSize(3);
    }

    @Test
    void badInputChangesNothing_aMalformedBatchIdempotencyKeyRefusesTheWholeBatch() {
        start();
        List<SubmitCommand> batch = List.of(cmd("e0"), cmd("e1"));
        for (String bad : List.of("", " ", "x".repeat(129), "a\u0001b")) {
            assertThatThrownBy(() -> service.submitAll("app", batch, bad))
                    .as("key '%s' belongs to the request, not to an entry", bad)
                    .isInstanceOf(ValidationException.class);
        }
        assertThat(store.all()).isEmpty();
    }

    // ------------------------------------------------------------------ disabled apps

    @Test
    void dueMessagesOfADisabledAppAreNotEmittedAndResumeWhenItIsEnabledAgain() {
        start();
        DelayMessage m = service.submit("app", new SubmitCommand("t", null, "p", null, 1_000L, null, null), null)
                .join().message();
        DelayMessage other = service.submit("other", new SubmitCommand("t", null, "p", null, 1_000L, null, null), null)
                .join().message();
        setEnabled("app", false);

        clock.set(T0 + 1_000);
        await().until(() -> emitter.emittedIds().contains(other.id()));
        await().until(() -> store.get(m.id()).orElseThrow().fireAt() > T0 + 1_000);
        DelayMessage held = store.get(m.id()).orElseThrow();
        assertThat(held.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(held.attempts()).as("holding is not an attempt").isZero();
        assertThat(held.fireAt()).isEqualTo(T0 + 1_000 + Firer.HELD_RECHECK_MILLIS);
        assertThat(emitter.emittedIds()).doesNotContain(m.id());

        setEnabled("app", true);
        clock.set(T0 + 1_000 + Firer.HELD_RECHECK_MILLIS);
        await().until(() -> emitter.emittedIds().contains(m.id()));
        await().until(() -> store.get(m.id()).orElseThrow().state() == MessageState.DELIVERED);
    }

    private void setEnabled(String appKey, boolean enabled) {
        App app = appStore.findApp(appKey).orElseThrow();
        assertThat(appStore.updateApp(app.withEnabled(enabled).touched(clock.now()))).isTrue();
        apps.invalidate(appKey);
    }

    // ------------------------------------------------------------------ one tenant's broken topic

    @Test
    void messagesTheEmitterDidNotTryAreRetriedWithoutUsingUpAnAttempt() {
        List<Long> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean brokenTopicDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        MessageEmitter failingFast = (batch, now) -> {
            List<CompletableFuture<Void>> out = new ArrayList<>();
            RuntimeException failure = null;
            for (DelayMessage m : batch) {
                if (failure != null) {
                    out.add(CompletableFuture.failedFuture(new MessageEmitter.NotAttemptedException("skipped", failure)));
                } else if (m.payload().equals("broken") && brokenTopicDown.get()) {
                    failure = new IllegalStateException("topic does not exist");
                    out.add(CompletableFuture.failedFuture(failure));
                } else {
                    sent.add(m.id());
                    out.add(CompletableFuture.completedFuture(null));
                }
            }
            return out;
        };
        start(EngineSettings.defaults().with(new EngineSettings.Retry(3, Duration.ofMillis(100), Duration.ofMillis(100))), failingFast);
        List<DelayMessage> batch = service.submitAll("app", List.of(
                        new SubmitCommand("t", null, "broken", null, 1_000L, null, null),
                        new SubmitCommand("t", null, "fine-1", null, 1_000L, null, null),
                        new SubmitCommand("t", null, "fine-2", null, 1_000L, null, null)), null)
                .stream().map(f -> f.join().message()).toList();
        clock.set(T0 + 1_000);
        await().until(() -> store.get(batch.get(0).id()).orElseThrow().attempts() == 1
                && store.get(batch.get(0).id()).orElseThrow().state() == MessageState.SCHEDULED);
        assertThat(sent).as("the broken message came first in the claim (ids in order)").isEmpty();
        for (DelayMessage fine : batch.subList(1, 3)) {
            await().until(() -> store.get(fine.id()).orElseThrow().state() == MessageState.SCHEDULED);
            assertThat(store.get(fine.id()).orElseThrow().attempts()).as("not tried, so no attempt used").isZero();
        }
        brokenTopicDown.set(false);
        clock.set(T0 + 60_000);
        await().until(() -> batch.stream().allMatch(m -> store.get(m.id()).orElseThrow().state() == MessageState.DELIVERED));
    }

    @Test
    void anEmitterTellsPermanentFailuresRetryAfterAndOutagesApart() {
        java.util.concurrent.atomic.AtomicBoolean targetDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        MessageEmitter classifying = (batch, now) -> batch.stream().map(m -> switch (m.payload()) {
            case "gone" -> CompletableFuture.<Void>failedFuture(new MessageEmitter.PermanentFailureException("404", null));
            case "busy" -> CompletableFuture.<Void>failedFuture(new MessageEmitter.RetryAfterException("429", 20_000, null));
            default -> targetDown.get()
                    ? CompletableFuture.<Void>failedFuture(new MessageEmitter.TargetUnavailableException("down", null))
                    : CompletableFuture.<Void>completedFuture(null);
        }).toList();
        start(EngineSettings.defaults().with(new EngineSettings.Retry(2, Duration.ofMillis(100), Duration.ofMillis(100))), classifying);
        DelayMessage gone = service.submit("app", new SubmitCommand("t", null, "gone", null, 1_000L, null, null), null)
                .join().message();
        DelayMessage busy = service.submit("app", new SubmitCommand("t", null, "busy", null, 1_000L, null, null), null)
                .join().message();
        DelayMessage outage = service.submit("app", new SubmitCommand("t", null, "fine", null, 1_000L, null, null), null)
                .join().message();

        for (long t = T0 + 1_000; t < T0 + 10_000; t += 500) { // many rounds of the 100 ms backoff
            clock.set(t);
            await().pollDelay(Duration.ofMillis(30)).until(() -> true);
        }
        DelayMessage dead = store.get(gone.id()).orElseThrow();
        assertThat(dead.state()).as("permanent: DEAD at the first attempt").isEqualTo(MessageState.DEAD);
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(dead.lastError()).contains("permanent failure").contains("404");
        DelayMessage later = store.get(busy.id()).orElseThrow();
        assertThat(later.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(later.fireAt()).as("Retry-After wins over the 100 ms backoff").isEqualTo(T0 + 1_000 + 20_000);
        DelayMessage waiting = store.get(outage.id()).orElseThrow();
        assertThat(waiting.state()).as("an outage sends nothing DEAD, whatever the retries").isEqualTo(MessageState.SCHEDULED);
        assertThat(waiting.attempts()).isZero();

        targetDown.set(false);
        clock.set(T0 + 20_000);
        await().until(() -> store.get(outage.id()).orElseThrow().state() == MessageState.DELIVERED);
    }

    // ------------------------------------------------------------------ fair preload

    @Test
    void oneSlotLoadedPastTheInMemoryLimitDoesNotStarveTheOtherSlots() {
        MessageIds ids = new MessageIds();
        List<DelayMessage> flood = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            flood.add(DelayMessage.scheduled(ids.next(0, T0), "app", "t", null, "flood", null, T0 + 2_000 + i * 50L,
                    null, T0, null));
        }
        store.insert(flood);
        List<DelayMessage> others = new ArrayList<>();
        for (int slot = 1; slot < 8; slot++) {
            others.add(DelayMessage.scheduled(ids.next(slot, T0), "app", "t", null, "slot-" + slot, null, T0 + 1_000,
                    null, T0, null));
        }
        store.insert(others);

        start(EngineSettings.defaults().with(EngineSettings.Preload.DEFAULTS.withMaxInMemory(100, 50)));
        await().until(() -> engine.inMemory() > 0);
        clock.set(T0 + 1_000);
        // on time: the manual clock stands still, so only what was loaded before their due time can fire now
        await().atMost(Duration.ofSeconds(10))
                .until(() -> emitter.emittedIds().containsAll(others.stream().map(DelayMessage::id).toList()));
        assertThat(engine.inMemory()).isLessThanOrEqualTo(150);
        // and the flooded slot still drains, within the memory limit, as its messages fall due
        for (long t = T0 + 2_000; emitter.emitted().size() < 1_007; t += 500) {
            clock.set(t);
            assertThat(engine.inMemory()).isLessThanOrEqualTo(150);
            await().pollDelay(Duration.ofMillis(20)).until(() -> true);
        }
        assertThat(emitter.emittedIds()).doesNotHaveDuplicates();
        assertThat(emitter.emitted()).allMatch(e -> e.emittedAt() >= e.message().deliverAt());
    }
}
