package io.hourglass.core.engine;

import io.hourglass.core.concurrent.Loops;
import io.hourglass.core.concurrent.ManualLoops;
import io.hourglass.core.concurrent.ThreadLoops;
import io.hourglass.core.error.InvalidStateException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.hourglass.core.testing.RecordingEmitter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class DelayEngineTest {

    private static final long T0 = 1_763_700_000_000L;
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final InMemoryAppStore appStore = new InMemoryAppStore();
    private final RecordingEmitter emitter = new RecordingEmitter();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DelayEngine engine;
    private DelayService service;

    private final ManualLoops loops = new ManualLoops(clock);

    private void start(EngineSettings settings) {
        start(settings, new ThreadLoops());
    }

    private void start(EngineSettings settings, Loops through) {
        engine = new DelayEngine(store, emitter, new StandaloneCoordinator(8, "test"), clock, settings, registry, through);
        AppDirectory apps = new AppDirectory(appStore, clock);
        apps.ensureApp("app", "secret", Set.of("t"));
        service = new DelayService(engine, store, apps, clock);
        engine.start();
    }

    private void start() {
        start(EngineSettings.defaults().with(new EngineSettings.Sweep(Duration.ofMillis(50), Duration.ofSeconds(30), Duration.ofSeconds(60))));
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private DelayMessage submit(long delayMs) {
        return service.submit("app", new SubmitCommand("t", null, "p", Map.of(), delayMs, null, null), null).join().message();
    }

    private MessageState stateOf(DelayMessage m) {
        return store.get(m.id()).orElseThrow().state();
    }

    @Test
    void slotsWithoutAnOwnerAreCountedForTheAlertUntilTheCoordinatorAssignsThem() {
        StandaloneCoordinator alone = new StandaloneCoordinator(16, "n1");
        assertThat(DelayEngine.unownedSlots(alone)).as("not started: nobody owns anything").isEqualTo(16);
        alone.start(new io.hourglass.core.spi.Coordinator.SlotListener() {
            @Override
            public void slotsAssigned(java.util.Set<Integer> slots) {
            }

            @Override
            public void slotsRevoked(java.util.Set<Integer> slots) {
            }
        });
        assertThat(DelayEngine.unownedSlots(alone)).isZero();
        alone.close();
        assertThat(DelayEngine.unownedSlots(alone)).isEqualTo(16);
    }

    @Test
    void acknowledgedMessageIsInTheStore() {
        start();
        DelayMessage m = submit(5_000);
        assertThat(store.get(m.id())).isPresent();
        assertThat(stateOf(m)).isEqualTo(MessageState.SCHEDULED);
    }

    /**
     * The guarantee tests below step the engine by hand ({@link ManualLoops}): the clock moves, every loop runs to
     * quiescence on this thread, and "nothing was emitted" is a fact, not the absence of an event within a sleep.
     */
    private void startStepped() {
        start(EngineSettings.defaults(), loops);
        loops.runDue();
    }

    @Test
    void neverEarly_messageFiresAtItsDueTimeAndNotBefore() {
        startStepped();
        DelayMessage m = submit(1_000);
        loops.runDue();
        assertThat(engine.inMemory()).as("filed in the wheel").isEqualTo(1);
        clock.set(T0 + 999);
        loops.runDue();
        assertThat(emitter.emitted()).isEmpty();
        assertThat(stateOf(m)).isEqualTo(MessageState.SCHEDULED);
        clock.set(T0 + 1_000);
        loops.runDue();
        assertThat(emitter.emitted()).hasSize(1);
        assertThat(emitter.emitted().get(0).emittedAt()).isGreaterThanOrEqualTo(m.deliverAt());
        assertThat(stateOf(m)).isEqualTo(MessageState.DELIVERED);
        assertThat(registry.counter("hourglass.messages.early").count()).isZero();
    }

    @Test
    void firedMessagesAreCountedByTopicAndNoneEarly() {
        start();
        submit(1_000);
        submit(1_000);
        clock.set(T0 + 1_000);

        await().until(() -> engine.firedByTopic().snapshot().getOrDefault("t", 0L) == 2L);
        assertThat(engine.firedByTopic().snapshot()).containsOnlyKeys("t");
        assertThat(registry.counter("hourglass.messages.early").count()).isZero();
    }

    @Test
    void atLeastOnce_claimsOfADeadIncarnationAreFiredAgainAtStartNotAfterTheClaimTimeout() {
        // the previous process claimed a due message, maybe emitted it, and was killed before recording the outcome
        DelayMessage claimed = claimedBeforeStart(T0 - 1_500);
        // and one claimed 200 ms before: a batch a previous owner may still be recording (a graceful handover)
        DelayMessage inFlight = claimedBeforeStart(T0 - 200);

        startStepped(); // claim-timeout is 60 s; the clock stays at T0

        assertThat(emitter.emittedIds()).containsExactly(claimed.id());
        assertThat(stateOf(claimed)).isEqualTo(MessageState.DELIVERED);
        assertThat(stateOf(inFlight)).as("left to claim-timeout").isEqualTo(MessageState.FIRING);
        assertThat(registry.counter("hourglass.messages.duplicates").count()).isEqualTo(1);
    }

    private DelayMessage claimedBeforeStart(long claimedAt) {
        DelayMessage m = DelayMessage.scheduled(new io.hourglass.core.model.MessageIds().next(3, claimedAt - 1_000),
                "app", "t", null, "p", null, claimedAt - 500, null, claimedAt - 1_000, null);
        store.insert(List.of(m));
        assertThat(store.claim(List.of(m.id()), claimedAt, 42L)).hasSize(1);
        assertThat(stateOf(m)).isEqualTo(MessageState.FIRING);
        return m;
    }

    @Test
    void aClaimMadeAfterTheSlotsWereAssignedIsNotTakenForAnInheritedOne() {
        startStepped();
        DelayMessage m = submit(1_000);
        clock.set(T0 + 1_000);
        loops.runDue();
        assertThat(emitter.emittedIds()).containsExactly(m.id());
        assertThat(registry.counter("hourglass.messages.duplicates").count()).isZero();
    }

    @Test
    void cancelWins_againstAMessageAlreadyInTheWheel() {
        startStepped();
        DelayMessage m = submit(1_000);
        loops.runDue();
        assertThat(engine.inMemory()).as("filed in the wheel").isEqualTo(1);
        assertThat(service.cancel("app", m.idString()).state()).isEqualTo(MessageState.CANCELLED);
        clock.set(T0 + 5_000);
        loops.runDue();
        assertThat(engine.inMemory()).as("the stale wheel entry's claim failed").isZero();
        assertThat(emitter.emitted()).isEmpty();
        assertThat(stateOf(m)).isEqualTo(MessageState.CANCELLED);
    }

    @Test
    void rescheduleWins_laterTimeFiresAtTheNewTimeNotTheOld() {
        startStepped();
        DelayMessage m = submit(1_000);
        loops.runDue();
        service.reschedule("app", m.idString(), new RescheduleCommand(null, 3_000L, null));
        clock.set(T0 + 2_000);
        loops.runDue();
        assertThat(emitter.emitted()).as("the old time passed").isEmpty();
        clock.set(T0 + 2_999);
        loops.runDue();
        assertThat(emitter.emitted()).isEmpty();
        clock.set(T0 + 3_000);
        loops.runDue();
        assertThat(emitter.emitted()).hasSize(1);
        assertThat(emitter.emitted().get(0).emittedAt()).isGreaterThanOrEqualTo(T0 + 3_000);
    }

    @Test
    void rescheduleWins_earlierTimeFiresAtTheNewTime() {
        startStepped();
        DelayMessage m = submit(60_000);
        loops.runDue();
        service.reschedule("app", m.idString(), new RescheduleCommand(null, null, -59_000L));
        clock.set(T0 + 999);
        loops.runDue();
        assertThat(emitter.emitted()).isEmpty();
        clock.set(T0 + 1_000);
        loops.runDue();
        assertThat(emitter.emitted()).hasSize(1);
        clock.set(T0 + 61_000);
        loops.runDue();
        assertThat(emitter.emitted()).as("the old time fires nothing").hasSize(1);
        assertThat(stateOf(m)).isEqualTo(MessageState.DELIVERED);
    }

    @Test
    void atLeastOnce_emitFailuresRetryWithBackoffAndNothingIsDeliveredWithoutAnAck() throws Exception {
        start();
        emitter.setDown(true);
        DelayMessage m = submit(0);
        await().until(() -> emitter.attempts() >= 1);
        await().until(() -> stateOf(m) == MessageState.SCHEDULED && store.get(m.id()).get().fireAt() > T0);
        assertThat(store.get(m.id()).get().lastError()).contains("broker down");
        clock.advance(1_000); // first backoff
        await().until(() -> emitter.attempts() >= 2);
        await().until(() -> stateOf(m) == MessageState.SCHEDULED);
        assertThat(store.get(m.id()).get().fireAt()).isEqualTo(clock.now() + 2_000); // doubled
        emitter.setDown(false);
        clock.advance(2_000);
        await().until(() -> stateOf(m) == MessageState.DELIVERED);
        assertThat(emitter.emittedIds()).containsExactly(m.id());
        assertThat(registry.counter("hourglass.messages.retried").count()).isEqualTo(2);
    }

    @Test
    void messageGoesDeadAfterMaxAttempts() {
        start(EngineSettings.defaults().with(new EngineSettings.Retry(2, Duration.ofMillis(10), Duration.ofMillis(10))));
        emitter.setDown(true);
        DelayMessage m = submit(0);
        await().until(() -> stateOf(m) == MessageState.SCHEDULED && emitter.attempts() >= 1);
        clock.advance(20);
        await().until(() -> stateOf(m) == MessageState.DEAD);
        assertThat(store.get(m.id()).get().attempts()).isEqualTo(2);
        assertThat(store.get(m.id()).get().lastError()).contains("gave up after 2 attempts");
    }

    @Test
    void redriveSchedulesADeadMessageAgainAndItFiresAtTheNewTimeNeverEarly() {
        start(EngineSettings.defaults().with(new EngineSettings.Retry(1, Duration.ofMillis(10), Duration.ofMillis(10))));
        emitter.setDown(true);
        DelayMessage m = submit(0);
        await().until(() -> stateOf(m) == MessageState.DEAD);
        emitter.setDown(false);
        new AppDirectory(appStore, clock).ensureApp("other-app", "secret", Set.of("t"));
        assertThatThrownBy(() -> service.redrive("other-app", m.idString(), RedriveCommand.NOW))
                .isInstanceOf(io.hourglass.core.error.MessageNotFoundException.class);
        assertThatThrownBy(() -> service.redrive("app", m.idString(), new RedriveCommand(clock.now() + 1, 5L)))
                .as("bad input changes nothing").isInstanceOf(io.hourglass.core.error.ValidationException.class);
        assertThat(stateOf(m)).isEqualTo(MessageState.DEAD);

        DelayMessage redriven = service.redrive("app", m.idString(), new RedriveCommand(null, 2_000L));

        assertThat(redriven.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(redriven.attempts()).isZero();
        assertThat(redriven.deliverAt()).isEqualTo(clock.now() + 2_000);
        clock.advance(1_999);
        await().during(Duration.ofMillis(300)).until(() -> emitter.emitted().isEmpty());
        clock.advance(1);
        await().until(() -> stateOf(m) == MessageState.DELIVERED);
        assertThat(emitter.emitted()).hasSize(1);
        assertThat(emitter.emitted().get(0).emittedAt()).isGreaterThanOrEqualTo(redriven.deliverAt());
        assertThatThrownBy(() -> service.redrive("app", m.idString(), RedriveCommand.NOW))
                .as("only a DEAD message is redriven").isInstanceOf(InvalidStateException.class);
    }

    @Test
    void repeatingMessageFiresEveryIntervalUntilCancelled() {
        start();
        DelayMessage m = service.submit("app", new SubmitCommand("t", "k", "p", null, 1_000L, null, 1_000L), null)
                .join().message();
        clock.set(T0 + 1_000);
        await().until(() -> emitter.emitted().size() == 1);
        await().until(() -> stateOf(m) == MessageState.SCHEDULED);
        assertThat(store.get(m.id()).get().deliverAt()).isEqualTo(T0 + 2_000);
        clock.set(T0 + 2_000);
        await().until(() -> emitter.emitted().size() == 2);
        await().until(() -> stateOf(m) == MessageState.SCHEDULED);
        service.cancel("app", m.idString());
        clock.set(T0 + 10_000);
        await().pollDelay(Duration.ofMillis(200)).until(() -> true);
        assertThat(emitter.emitted()).hasSize(2);
        assertThat(emitter.emitted()).allMatch(e -> e.emittedAt() >= e.message().deliverAt());
    }

    @Test
    void messagesBeyondTheWindowAreLoadedWhenTheyComeWithinIt() {
        start(EngineSettings.defaults().with(EngineSettings.Preload.DEFAULTS.withWithin(Duration.ofSeconds(10))));
        DelayMessage far = submit(60_000);
        assertThat(engine.inMemory()).isZero();
        clock.set(T0 + 55_000);
        await().until(() -> engine.inMemory() == 1);
        clock.set(T0 + 60_000);
        await().until(() -> stateOf(far) == MessageState.DELIVERED);
    }

    @Test
    void inMemoryCountStaysWithinTheCapAndEverythingStillFires() {
        start(EngineSettings.defaults().with(EngineSettings.Preload.DEFAULTS.withMaxInMemory(100, 50)));
        for (int i = 0; i < 300; i++) {
            submit(100_000 + i); // inside the window: the write path files them, up to the cap
        }
        clock.advance(1_000); // preloader rounds run
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        assertThat(engine.inMemory()).isBetween(100, 150); // cap plus at most one preload page
        for (long t = T0 + 100_000; emitter.emitted().size() < 300; t += 50) {
            clock.set(t);
            assertThat(engine.inMemory()).isLessThanOrEqualTo(150);
            await().pollDelay(Duration.ofMillis(5)).until(() -> true);
        }
        assertThat(emitter.emittedIds()).doesNotHaveDuplicates().hasSize(300);
    }

    @Test
    void sweeperReleasesStuckClaimsAndTheyAreEmitted() {
        start(EngineSettings.defaults().with(new EngineSettings.Sweep(Duration.ofMillis(50), Duration.ofSeconds(30), Duration.ofSeconds(5))));
        DelayMessage m = submit(60_000);
        // a crashed server claimed it and never finished
        store.claim(List.of(m.id()), T0 + 60_000, 42L);
        clock.set(T0 + 60_000 + 6_000);
        await().until(() -> stateOf(m) == MessageState.DELIVERED);
        assertThat(registry.counter("hourglass.messages.duplicates").count()).isEqualTo(1);
    }

    @Test
    void idempotencyKeyReturnsTheFirstMessageAndCreatesNothing() {
        start();
        SubmitCommand cmd = new SubmitCommand("t", null, "p", null, 5_000L, null, null);
        SubmitResult first = service.submit("app", cmd, "order-1").join();
        SubmitResult again = service.submit("app", cmd, "order-1").join();
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.message().id()).isEqualTo(first.message().id());
        assertThat(store.all()).hasSize(1);
    }

    @Test
    void whileOwningNoSlotSubmitsAreRefusedAsOverloadedAndEveryCallerIsAnswered() {
        start();
        engine.slotsRevoked(Set.of(0, 1, 2, 3, 4, 5, 6, 7));
        SubmitCommand cmd = new SubmitCommand("t", null, "p", Map.of(), 5_000L, null, null);
        List<java.util.concurrent.CompletableFuture<SubmitResult>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) { // repeats of one key in a commit wait on its first: they must be answered too
            calls.add(service.submit("app", cmd, i % 2 == 0 ? "same-key" : null));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.stream().allMatch(java.util.concurrent.CompletableFuture::isDone));
        assertThat(calls).allSatisfy(f -> assertThat(f).failsWithin(Duration.ZERO).withThrowableOfType(
                java.util.concurrent.ExecutionException.class).withCauseInstanceOf(io.hourglass.core.error.OverloadedException.class));
        assertThat(store.all()).isEmpty();
        assertThat(registry.counter("hourglass.loop.errors", "loop", "group-commit").count())
                .as("an expected refusal is not a writer failure").isZero();
    }

    @Test
    void aSlotAssignedAfterStartGetsABacklogGaugeAndAReleasedSlotReportsZero() {
        start();
        assertThat(registry.find("hourglass.slot.backlog").tag("slot", "12").gauge()).as("slot 12 is not listed yet").isNull();
        engine.slotsAssigned(Set.of(12)); // the slot list grew
        assertThat(registry.find("hourglass.slot.backlog").tag("slot", "12").gauge()).isNotNull();
        submit(60_000);
        engine.refreshBacklog();
        assertThat(backlogOfAllSlots()).isEqualTo(1);
        engine.slotsRevoked(Set.of(0, 1, 2, 3, 4, 5, 6, 7));
        assertThat(backlogOfAllSlots()).as("a released slot is reported by its new owner, not here").isZero();
    }

    private double backlogOfAllSlots() {
        return registry.find("hourglass.slot.backlog").gauges().stream().mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
    }

    @Test
    void cancelOfADeliveredMessageIsRefused() {
        start();
        DelayMessage m = submit(0);
        await().until(() -> stateOf(m) == MessageState.DELIVERED);
        assertThatThrownBy(() -> service.cancel("app", m.idString())).isInstanceOf(InvalidStateException.class);
    }

    @Test
    void concurrentWritersAcknowledgeEveryMessageAndKeepIdempotencyKeysUnique() throws Exception {
        start(EngineSettings.defaults().with(EngineSettings.Writes.DEFAULTS.withThreads(4)));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<SubmitResult>> keyed = new java.util.ArrayList<>();
            List<java.util.concurrent.Future<SubmitResult>> plain = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String key = "k-" + (i % 20);
                keyed.add(pool.submit(() -> service.submit("app",
                        new SubmitCommand("t", null, "p", Map.of(), 60_000L, null, null), key).join()));
                plain.add(pool.submit(() -> service.submit("app",
                        new SubmitCommand("t", null, "p", Map.of(), 60_000L, null, null), null).join()));
            }
            Map<String, java.util.Set<Long>> idsByKey = new java.util.HashMap<>();
            int created = 0;
            for (java.util.concurrent.Future<SubmitResult> f : keyed) {
                SubmitResult r = f.get();
                idsByKey.computeIfAbsent(r.message().idempotencyKey(), k -> new java.util.HashSet<>()).add(r.message().id());
                created += r.created() ? 1 : 0;
            }
            assertThat(idsByKey).hasSize(20).allSatisfy((k, ids) -> assertThat(ids).as("ids answered for " + k).hasSize(1));
            assertThat(created).as("messages created for 20 keys").isEqualTo(20);
            java.util.Set<Long> plainIds = new java.util.HashSet<>();
            for (java.util.concurrent.Future<SubmitResult> f : plain) {
                plainIds.add(f.get().message().id());
            }
            assertThat(plainIds).hasSize(400);
            assertThat(plainIds).allSatisfy(id -> assertThat(store.get(id)).isPresent());
        } finally {
            pool.shutdownNow();
        }
    }
}
