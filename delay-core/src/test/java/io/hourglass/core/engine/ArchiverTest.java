package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class ArchiverTest {

    private static final long T0 = 1_763_700_000_000L;
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final int SLOTS = 4;

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MessageIds ids = new MessageIds();
    private long tokens;

    private Archiver archiver(int batchSize, int maxPerRun) {
        return new Archiver(store, SLOTS, RETENTION, batchSize, maxPerRun, clock, registry);
    }

    @Test
    void deletesFinishedMessagesOlderThanTheRetentionInEverySlot() {
        List<DelayMessage> old = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            old.add(finished(slot, MessageState.DELIVERED, T0));
            old.add(finished(slot, MessageState.CANCELLED, T0 + 1));
            old.add(finished(slot, MessageState.DEAD, T0 + 2));
        }
        clock.set(T0 + RETENTION.toMillis() + 3);

        int deleted = archiver(1000, 100_000).runOnce();

        assertThat(deleted).isEqualTo(3 * SLOTS);
        assertThat(old).allSatisfy(m -> assertThat(store.get(m.id())).isEmpty());
        assertThat(store.all()).isEmpty();
    }

    @Test
    void keepsScheduledFiringAndRecentlyFinishedMessages() {
        DelayMessage scheduled = scheduled(0);
        DelayMessage firing = scheduled(1);
        store.claim(List.of(firing.id()), T0, ++tokens);
        DelayMessage recent = finished(2, MessageState.DELIVERED, T0 + 10);
        DelayMessage atCutoff = finished(3, MessageState.DELIVERED, T0);
        DelayMessage old = finished(3, MessageState.DELIVERED, T0 - 1);
        clock.set(T0 + RETENTION.toMillis()); // cutoff T0: strictly older goes

        assertThat(archiver(1000, 100_000).runOnce()).isEqualTo(1);

        assertThat(store.get(old.id())).isEmpty();
        assertThat(store.get(scheduled.id())).isPresent();
        assertThat(store.get(firing.id()).orElseThrow().state()).isEqualTo(MessageState.FIRING);
        assertThat(store.get(recent.id())).isPresent();
        assertThat(store.get(atCutoff.id())).isPresent();
    }

    @Test
    void deletesASlotInBatchesUntilABatchComesBackSmaller() {
        for (int i = 0; i < 7; i++) {
            finished(1, MessageState.DELIVERED, T0);
        }
        AtomicInteger calls = new AtomicInteger();
        MessageStore counting = (MessageStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MessageStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("purgeFinished")) {
                        calls.incrementAndGet();
                    }
                    return method.invoke(store, args);
                });
        clock.set(T0 + RETENTION.toMillis() + 1);

        int deleted = new Archiver(counting, SLOTS, RETENTION, 2, 100, clock, registry).runOnce();

        assertThat(deleted).isEqualTo(7);
        assertThat(store.all()).isEmpty();
        // slot 1: 2 + 2 + 2 + 1; slots 0, 2, 3: one empty batch each
        assertThat(calls.get()).isEqualTo(4 + 3);
    }

    @Test
    void stopsAtTheCapPerRunAndTheNextRunCarriesOnWhereItStopped() {
        for (int i = 0; i < 5; i++) {
            finished(0, MessageState.DELIVERED, T0);
            finished(2, MessageState.DEAD, T0);
        }
        clock.set(T0 + RETENTION.toMillis() + 1);
        Archiver archiver = archiver(2, 4);

        assertThat(archiver.runOnce()).isEqualTo(4);
        assertThat(store.all()).hasSize(6);
        assertThat(archiver.runOnce()).isEqualTo(4);
        assertThat(archiver.runOnce()).isEqualTo(2);
        assertThat(archiver.runOnce()).isZero();
        assertThat(store.all()).isEmpty();
    }

    @Test
    void countsDeletedMessagesInTheArchivedCounter() {
        finished(0, MessageState.DELIVERED, T0);
        finished(3, MessageState.CANCELLED, T0);
        clock.set(T0 + RETENTION.toMillis() + 1);
        Archiver archiver = archiver(1000, 100_000);

        archiver.runOnce();
        archiver.runOnce();

        assertThat(registry.get("hourglass.messages.archived").counter().count()).isEqualTo(2.0);
    }

    @Test
    void aStoreFailureEndsTheRunQuietlyIsCountedAndTheNextRunRetries() {
        finished(0, MessageState.DELIVERED, T0);
        clock.set(T0 + RETENTION.toMillis() + 1);
        Archiver archiver = archiver(1000, 100_000);
        store.setDown(true);

        assertThat(archiver.runOnce()).isZero();

        assertThat(registry.get("hourglass.loop.errors").tag("loop", "archiver").counter().count()).isEqualTo(1.0);
        store.setDown(false);
        assertThat(archiver.runOnce()).isEqualTo(1);
    }

    @Test
    void anInterruptedThreadStopsTheRunAndKeepsTheFlag() {
        finished(0, MessageState.DELIVERED, T0);
        clock.set(T0 + RETENTION.toMillis() + 1);
        Thread.currentThread().interrupt();
        try {
            assertThat(archiver(1000, 100_000).runOnce()).isZero();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(store.all()).hasSize(1);
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> new Archiver(store, 0, RETENTION, 10, 10, clock, registry))
                .hasMessageContaining("slotCount");
        assertThatThrownBy(() -> new Archiver(store, 4, Duration.ofDays(-1), 10, 10, clock, registry))
                .hasMessageContaining("retention");
        assertThatThrownBy(() -> new Archiver(store, 4, RETENTION, 0, 10, clock, registry))
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> new Archiver(store, 4, RETENTION, 10, 5, clock, registry))
                .hasMessageContaining("maxPerRun");
    }

    // ---------------------------------------------------------------- helpers

    private DelayMessage scheduled(int slot) {
        DelayMessage m = DelayMessage.scheduled(ids.next(slot, T0 - 100_000), "app", "t", null, "p", null,
                T0 - 50_000, null, T0 - 100_000, null);
        store.insert(List.of(m));
        return m;
    }

    /** A message of {@code slot} brought to the terminal {@code state} at {@code at} (its updatedAt). */
    private DelayMessage finished(int slot, MessageState state, long at) {
        DelayMessage m = scheduled(slot);
        long token = ++tokens;
        switch (state) {
            case CANCELLED -> store.cancel(m.id(), at);
            case DELIVERED -> {
                store.claim(List.of(m.id()), at, token);
                store.markDelivered(List.of(m.id()), token, at);
            }
            case DEAD -> {
                store.claim(List.of(m.id()), at, token);
                store.markDead(List.of(m.id()), token, "gave up", at);
            }
            default -> throw new IllegalArgumentException(state.name());
        }
        DelayMessage read = store.get(m.id()).orElseThrow();
        assertThat(read.state()).isEqualTo(state);
        assertThat(read.updatedAt()).isEqualTo(at);
        return read;
    }
}
