package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.wheel.WheelTimer;

import java.util.List;
import java.util.Set;

/**
 * The safety net: a message missed by any race is still delivered, late rather than never.
 * <ul>
 *   <li>FIRING claims older than {@code claim-timeout} (a crashed or stuck firer) go back to SCHEDULED and are
 *   fired again; each may already have been emitted, so each counts as a possible duplicate.</li>
 *   <li>SCHEDULED messages overdue by more than {@code sweep-grace} are re-queued, but only while the firing
 *   backlog is empty: a backlog means they are still on their way.</li>
 *   <li>When slots are assigned, the FIRING claims they hold from before the assignment belong to a previous owner
 *   (another server whose lease expired, or this server's own previous incarnation after a restart). A slot is
 *   assigned only once its previous owner released it or lost its lease, so that owner claims nothing more; only a
 *   batch it claimed just before a graceful handover may still be recording its outcome, for milliseconds. Claims
 *   older than {@link #HANDOVER_GRACE_MILLIS} at the assignment are therefore released at once
 *   ({@link #releaseInherited}) rather than after {@code claim-timeout}: a dead owner's claims are at least a lease
 *   (or a process start) old by then. Each may have been emitted already, and counts as a possible duplicate, as
 *   above; younger ones are left to {@code claim-timeout}.</li>
 * </ul>
 */
final class Sweeper {

    private static final int LIMIT = 1000;
    /** A claim this much older than its slot's assignment is taken for a fenced owner's, not an in-flight batch. */
    static final long HANDOVER_GRACE_MILLIS = 1_000;

    private final MessageStore store;
    private final WheelTimer timer;
    private final Preloader preloader;
    private final Coordinator coordinator;
    private final EngineSettings settings;
    private final DelayClock clock;
    private final DelayMetrics metrics;

    Sweeper(MessageStore store, WheelTimer timer, Preloader preloader, Coordinator coordinator, EngineSettings settings,
            DelayClock clock, DelayMetrics metrics) {
        this.store = store;
        this.preloader = preloader;
        this.timer = timer;
        this.coordinator = coordinator;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Releases the claims that {@code slots} hold from more than {@link #HANDOVER_GRACE_MILLIS} before
     * {@code assignedAt}, the moment they were assigned here, and queues their messages to fire now.
     */
    void releaseInherited(Set<Integer> slots, long assignedAt) {
        for (int slot : slots) {
            List<DueEntry> released;
            do {
                if (!coordinator.owns(slot)) {
                    break; // revoked meanwhile: the next owner does it
                }
                released = store.releaseStuck(slot, assignedAt - HANDOVER_GRACE_MILLIS, clock.now(), LIMIT);
                for (DueEntry e : released) {
                    preloader.schedule(e.fireAt(), e.id());
                }
                metrics.duplicates.increment(released.size());
            } while (released.size() == LIMIT);
        }
    }

    void runOnce() {
        for (int slot : coordinator.ownedSlots()) {
            long now = clock.now();
            List<DueEntry> released = store.releaseStuck(slot, now - settings.sweep().claimTimeout().toMillis(), now, LIMIT);
            for (DueEntry e : released) {
                preloader.schedule(e.fireAt(), e.id());
            }
            metrics.duplicates.increment(released.size());
        }
        if (timer.readySize() > 0) {
            return;
        }
        for (int slot : coordinator.ownedSlots()) {
            long cutoff = clock.now() - settings.sweep().grace().toMillis();
            List<DueEntry> overdue = store.scanScheduled(slot, 0, cutoff, Long.MIN_VALUE, 0, LIMIT);
            for (DueEntry e : overdue) {
                preloader.schedule(e.fireAt(), e.id());
            }
            metrics.swept.increment(overdue.size());
        }
    }
}
