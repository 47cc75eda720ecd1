package io.hourglass.core.engine;

import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.MessageNotFoundException;
import io.hourglass.core.error.PeerException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.PeerClient;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Routing of get, cancel and reschedule to the owner of a message's slot: two engines share one store, server "a"
 * owns slots 0-3 and "b" slots 4-7; requests about b's messages are sent to a.
 */
@Timeout(30)
class RoutingTest {

    private static final long T0 = 1_763_700_000_000L;
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final InMemoryAppStore appStore = new InMemoryAppStore();
    private final RecordingEmitter emitterA = new RecordingEmitter();
    private final RecordingEmitter emitterB = new RecordingEmitter();
    private final SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    private final AtomicBoolean bReachable = new AtomicBoolean(true);
    private final AtomicInteger forwardedToB = new AtomicInteger();
    private DelayEngine engineA;
    private DelayEngine engineB;
    private DelayService serviceA;
    private DelayService serviceB;

    @BeforeEach
    void start() {
        EngineSettings settings = EngineSettings.defaults()
                .with(new EngineSettings.Sweep(Duration.ofMillis(50), Duration.ofSeconds(30), Duration.ofSeconds(60)));
        AppDirectory apps = new AppDirectory(appStore, clock);
        apps.ensureApp("app", "secret", Set.of("t"));
        engineA = new DelayEngine(store, emitterA, new SplitCoordinator("a", Set.of(0, 1, 2, 3)), clock, settings, registryA);
        engineB = new DelayEngine(store, emitterB, new SplitCoordinator("b", Set.of(4, 5, 6, 7)), clock, settings,
                new SimpleMeterRegistry());
        serviceB = new DelayService(engineB, store, apps, clock, new ToPeer(address -> serviceA));
        serviceA = new DelayService(engineA, store, apps, clock, new ToPeer(address -> {
            assertThat(address).isEqualTo("http://b");
            if (!bReachable.get()) {
                throw new PeerClient.PeerUnreachableException("connection refused", null);
            }
            forwardedToB.incrementAndGet();
            return serviceB;
        }));
        engineA.start();
        engineB.start();
    }

    @AfterEach
    void stop() {
        engineA.close();
        engineB.close();
    }

    /** A message of server b (submitted to b, so it carries one of b's slots). */
    private DelayMessage submitToB(long delayMs) {
        DelayMessage m = serviceB.submit("app", new SubmitCommand("t", null, "p", Map.of(), delayMs, null, null), null)
                .join().message();
        assertThat(MessageIds.slotOf(m.id())).isBetween(4, 7);
        // in b's wheel: filed by the write path, the first preload round, or both (Preloader: "both is harmless")
        await().until(() -> engineB.inMemory() > 0);
        return m;
    }

    private double routed(String outcome) {
        return registryA.counter("hourglass.requests.routed", "outcome", outcome).count();
    }

    @Test
    void getAndCancelOfAnotherServersMessageAreForwardedToItsOwner() throws Exception {
        DelayMessage m = submitToB(1_000);
        assertThat(serviceA.get("app", m.idString()).id()).isEqualTo(m.id());
        assertThat(serviceA.cancel("app", m.idString()).state()).isEqualTo(MessageState.CANCELLED);
        assertThat(forwardedToB).hasValue(2);
        assertThat(routed("forwarded")).isEqualTo(2);
        // cancel wins: the owner never emits it
        clock.set(T0 + 2_000);
        await().until(() -> engineB.inMemory() == 0);
        assertThat(emitterB.emitted()).isEmpty();
    }

    @Test
    void rescheduleWins_anEarlierTimeSentToAnotherServerIsFiledInTheOwnersWheel() {
        DelayMessage m = submitToB(60_000);
        serviceA.reschedule("app", m.idString(), new RescheduleCommand(null, 1_000L, null));
        assertThat(forwardedToB).hasValue(1);
        clock.set(T0 + 1_000);
        // fires at the new time from the owner's wheel, long before any sweep of overdue messages could find it
        await().until(() -> emitterB.emitted().size() == 1);
        assertThat(emitterB.emitted().get(0).emittedAt()).isGreaterThanOrEqualTo(T0 + 1_000);
        assertThat(emitterA.emitted()).isEmpty();
    }

    @Test
    void theOwnersErrorsReachTheClientUnchanged() {
        DelayMessage m = submitToB(1_000);
        String unknown = MessageIds.format(new MessageIds().next(5, T0 - 10_000));
        assertThatThrownBy(() -> serviceA.get("app", unknown)).isInstanceOf(DelayException.class)
                .satisfies(e -> assertThat(((DelayException) e).code()).isEqualTo("message-not-found"));
        assertThatThrownBy(() -> serviceA.get("other-app", m.idString()))
                .isInstanceOfAny(MessageNotFoundException.class, PeerException.class);
        assertThat(forwardedToB).hasValue(2);
    }

    @Test
    void cancelWins_whenTheOwnerIsUnreachableTheStoreIsUpdatedHereAndTheOwnerHonoursIt() throws Exception {
        DelayMessage m = submitToB(1_000);
        bReachable.set(false);
        assertThat(serviceA.cancel("app", m.idString()).state()).isEqualTo(MessageState.CANCELLED);
        assertThat(routed("local")).isEqualTo(1);
        assertThat(store.get(m.id()).orElseThrow().state()).isEqualTo(MessageState.CANCELLED);
        clock.set(T0 + 2_000);
        await().until(() -> engineB.inMemory() == 0); // the stale wheel entry's claim fails
        Thread.sleep(100);
        assertThat(emitterB.emitted()).isEmpty();
    }

    @Test
    void aServersOwnMessagesAreNeverForwarded() {
        DelayMessage own = serviceA.submit("app", new SubmitCommand("t", null, "p", Map.of(), 1_000L, null, null), null)
                .join().message();
        assertThat(MessageIds.slotOf(own.id())).isBetween(0, 3);
        assertThat(serviceA.cancel("app", own.idString()).state()).isEqualTo(MessageState.CANCELLED);
        assertThat(forwardedToB).hasValue(0);
    }

    /** Calls the owner's service directly, as the internal endpoint does (its local view: no further routing). */
    private record ToPeer(Function<String, DelayService> owner) implements PeerClient {
        @Override
        public DelayMessage get(String address, String appKey, String id) {
            return owner.apply(address).local().get(appKey, id);
        }

        @Override
        public DelayMessage cancel(String address, String appKey, String id) {
            return owner.apply(address).local().cancel(appKey, id);
        }

        @Override
        public DelayMessage reschedule(String address, String appKey, String id, RescheduleCommand command) {
            return owner.apply(address).local().reschedule(appKey, id, command);
        }

        @Override
        public DelayMessage redrive(String address, String appKey, String id, RedriveCommand command) {
            return owner.apply(address).local().redrive(appKey, id, command);
        }
    }

    /** Static split of 8 slots between "a" and "b". */
    private static final class SplitCoordinator implements Coordinator {
        private final String node;
        private final Set<Integer> mine;

        SplitCoordinator(String node, Set<Integer> mine) {
            this.node = node;
            this.mine = mine;
        }

        @Override
        public void start(SlotListener listener) {
            listener.slotsAssigned(mine);
        }

        @Override
        public Set<Integer> ownedSlots() {
            return mine;
        }

        @Override
        public Optional<String> ownerOf(int slot) {
            return Optional.of(slot < 4 ? "a" : "b");
        }

        @Override
        public Optional<String> addressOf(String nodeId) {
            return Optional.of("http://" + nodeId);
        }

        @Override
        public int slotCount() {
            return 8;
        }

        @Override
        public String nodeId() {
            return node;
        }

        @Override
        public void close() {
        }
    }
}
