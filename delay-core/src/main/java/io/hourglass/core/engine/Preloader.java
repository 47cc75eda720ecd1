package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.wheel.WheelTimer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Moves SCHEDULED messages of owned slots into the wheel as they come within {@code delay.core.within} of now.
 *
 * <p>Each slot has a watermark W: every SCHEDULED message of the slot with {@code fireAt < W} is in the wheel
 * (or already fired). The preloader raises W to {@code now + within} <i>before</i> it scans {@code [oldW, newW)},
 * and the write path files a committed message directly when its {@code fireAt < W}. So a message committed during
 * a scan is either seen by the scan, or filed by its writer, or both — never neither. Both is harmless: the second
 * entry's claim finds the message already taken.
 *
 * <p>Fair shares of memory: {@code max-in-memory} is shared among the owned slots. Each slot may always hold its
 * fair share ({@code max-in-memory / owned slots}) in the wheel; beyond it, a slot may take only what is free after
 * the shares the other slots have not used yet are set aside. So one slot with a huge backlog fills no more than
 * the memory the others do not need, and every other slot still loads (and fires) on time. A slot at its limit has
 * its watermark stopped at the last loaded time; the rest waits for a later round (memory stays bounded; that slot's
 * window shrinks). The wheel's entries are counted per slot ({@link #schedule}, {@link #polled}, {@link #dropped}).
 */
final class Preloader {

    private static final Logger log = LoggerFactory.getLogger(Preloader.class);
    static final long UNLOADED = Long.MIN_VALUE;

    private final MessageStore store;
    private final WheelTimer timer;
    private final Coordinator coordinator;
    private final EngineSettings settings;
    private final DelayClock clock;
    private final AtomicLongArray watermarks = new AtomicLongArray(MessageIds.MAX_SLOTS);
    /** Wheel entries per slot. */
    private final AtomicIntegerArray held = new AtomicIntegerArray(MessageIds.MAX_SLOTS);
    private int nextStart;

    Preloader(MessageStore store, WheelTimer timer, Coordinator coordinator, EngineSettings settings, DelayClock clock) {
        this.store = store;
        this.timer = timer;
        this.coordinator = coordinator;
        this.settings = settings;
        this.clock = clock;
        for (int i = 0; i < MessageIds.MAX_SLOTS; i++) {
            watermarks.set(i, UNLOADED);
        }
    }

    /** Whether a message of {@code slot} due at {@code fireAt} belongs in the wheel now (rather than in a later scan). */
    boolean covers(int slot, long fireAt) {
        return fireAt < watermarks.get(slot);
    }

    /**
     * Files a committed message (new, rescheduled, retried or re-armed) if it falls inside the loaded window.
     * At the in-memory cap it is not filed; the watermark is lowered to it instead, so a later scan loads it.
     */
    void file(int slot, long fireAt, long id) {
        if (!covers(slot, fireAt)) {
            return;
        }
        if (timer.size() < settings.preload().maxInMemory() / 2 || allowance(slot, coordinator.ownedSlots()) > 0) {
            schedule(fireAt, id);
            return;
        }
        long w;
        while (fireAt < (w = watermarks.get(slot)) && !watermarks.compareAndSet(slot, w, fireAt)) {
            Thread.onSpinWait();
        }
    }

    /** Forgets a slot (lost ownership): its next owner loads it from the store. */
    void unload(int slot) {
        watermarks.set(slot, UNLOADED);
    }

    /** Puts an entry in the wheel, counted against its slot's share. */
    void schedule(long fireAt, long id) {
        held.incrementAndGet(MessageIds.slotOf(id));
        timer.schedule(fireAt, id);
    }

    /** Entries the firers took out of the wheel. */
    void polled(long[] ids, int n) {
        for (int i = 0; i < n; i++) {
            held.decrementAndGet(MessageIds.slotOf(ids[i]));
        }
    }

    /** The wheel's entries of these slots were removed (lost ownership). */
    void dropped(Collection<Integer> slots) {
        for (int slot : slots) {
            held.set(slot, 0);
        }
    }

    /** Entries of the slot in the wheel now. */
    int held(int slot) {
        return Math.max(0, held.get(slot));
    }

    /**
     * How many more entries {@code slot} may put in the wheel: what is free once the unused fair shares of the other
     * owned slots are set aside, and never less than what is left of its own fair share.
     */
    long allowance(int slot, Collection<Integer> owned) {
        long max = settings.preload().maxInMemory();
        long free = max - timer.size();
        if (free <= 0 && held(slot) >= max / Math.max(1, owned.size())) {
            return 0;
        }
        if (free > max / 2) {
            return free; // plenty of room: no need to count shares
        }
        long fair = max / Math.max(1, owned.size());
        long reservedForOthers = 0;
        for (int other : owned) {
            if (other != slot) {
                reservedForOthers += Math.max(0, fair - held(other));
            }
        }
        return Math.max(free - reservedForOthers, fair - held(slot));
    }

    void runOnce() {
        long target = clock.now() + settings.preload().within().toMillis();
        List<Integer> owned = new ArrayList<>(coordinator.ownedSlots());
        if (owned.isEmpty()) {
            return;
        }
        int start = Math.floorMod(nextStart++, owned.size()); // no slot is always first to the free memory
        for (int i = 0; i < owned.size(); i++) {
            loadSlot(owned.get((start + i) % owned.size()), target, owned);
        }
    }

    private void loadSlot(int slot, long target, Collection<Integer> owned) {
        long previous = watermarks.get(slot);
        long from = previous == UNLOADED ? 0 : previous;
        if (from >= target || allowance(slot, owned) <= 0 || !watermarks.compareAndSet(slot, previous, target)) {
            return;
        }
        long afterFireAt = Long.MIN_VALUE;
        long afterId = 0;
        try {
            while (true) {
                if (!coordinator.owns(slot)) {
                    return;
                }
                long allowance = allowance(slot, owned);
                if (allowance <= 0 && afterFireAt != Long.MIN_VALUE) {
                    // at its share: everything before afterFireAt is loaded; the rest waits for a later round
                    watermarks.compareAndSet(slot, target, afterFireAt);
                    return;
                }
                int batch = (int) Math.max(1, Math.min(settings.preload().batchSize(), allowance));
                List<DueEntry> page = store.scanScheduled(slot, from, target, afterFireAt, afterId, batch);
                for (DueEntry e : page) {
                    schedule(e.fireAt(), e.id());
                }
                if (page.size() < batch) {
                    return;
                }
                DueEntry last = page.get(page.size() - 1);
                afterFireAt = last.fireAt();
                afterId = last.id();
            }
        } catch (RuntimeException e) {
            // scan again from where this round started (entries already filed are harmless duplicates)
            watermarks.compareAndSet(slot, target, previous);
            log.warn("[slot={}] preload of [{}, {}) failed; will retry", slot, from, target, e);
            throw e;
        }
    }
}
