package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.wheel.WheelTimer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Moves SCHEDULED messages of owned slots into the wheel as they come within {@code delay.core.within} of now.
 *
 * <p>Each slot has a watermark W: every SCHEDULED message of the slot with {@code fireAt < W} is in the wheel
 * (or already fired). The preloader raises W to {@code now + within} <i>before</i> it scans {@code [oldW, newW)},
 * and the write path files a committed message directly when its {@code fireAt < W}. So a message committed during
 * a scan is either seen by the scan, or filed by its writer, or both — never neither. Both is harmless: the second
 * entry's claim finds the message already taken. At the in-memory cap the watermark stops at the last loaded time
 * and the rest waits for the next round (memory stays bounded; the window shrinks).
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
        if (timer.size() < settings.maxInMemory()) {
            timer.schedule(fireAt, id);
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

    void runOnce() {
        long target = clock.now() + settings.within().toMillis();
        for (int slot : coordinator.ownedSlots()) {
            if (timer.size() >= settings.maxInMemory()) {
                return;
            }
            loadSlot(slot, target);
        }
    }

    private void loadSlot(int slot, long target) {
        long previous = watermarks.get(slot);
        long from = previous == UNLOADED ? 0 : previous;
        if (from >= target || !watermarks.compareAndSet(slot, previous, target)) {
            return;
        }
        long afterFireAt = Long.MIN_VALUE;
        long afterId = 0;
        int batch = settings.preloadBatchSize();
        try {
            while (true) {
                if (!coordinator.owns(slot)) {
                    return;
                }
                List<DueEntry> page = store.scanScheduled(slot, from, target, afterFireAt, afterId, batch);
                for (DueEntry e : page) {
                    timer.schedule(e.fireAt(), e.id());
                }
                if (page.size() < batch) {
                    return;
                }
                DueEntry last = page.get(page.size() - 1);
                afterFireAt = last.fireAt();
                afterId = last.id();
                if (timer.size() >= settings.maxInMemory()) {
                    // cap reached: everything before last.fireAt is loaded; the rest waits for a later round
                    watermarks.compareAndSet(slot, target, last.fireAt());
                    return;
                }
            }
        } catch (RuntimeException e) {
            // scan again from where this round started (entries already filed are harmless duplicates)
            watermarks.compareAndSet(slot, target, previous);
            log.warn("[slot={}] preload of [{}, {}) failed; will retry", slot, from, target, e);
            throw e;
        }
    }
}
