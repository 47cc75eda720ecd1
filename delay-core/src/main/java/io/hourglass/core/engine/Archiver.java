package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.MessageStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Deletes finished messages (DELIVERED, CANCELLED, DEAD) whose last change is older than the retention, through
 * {@link MessageStore#purgeFinished}. Owns no thread: a scheduler calls {@link #runOnce()} (the server uses a Quartz
 * job, one run at a time).
 *
 * <p>Every slot is purged, not only the slots this server owns: a finished row never changes again, so deleting it
 * races with nothing. Each slot is purged in batches of {@code batchSize} until a batch comes back smaller; a run
 * stops after {@code maxPerRun} deletions, and the next run starts at the slot where it stopped, so a large backlog
 * is worked off over several runs without one run holding the database for long.
 *
 * <p>Deleting a message frees its idempotency key: the retention is also how long a client may retry a submit
 * safely.
 *
 * <p>Failure: a store error ends the run; it is logged once, counted in {@code hourglass.loop.errors{loop=archiver}},
 * and the next run resumes at the failed slot. {@link #runOnce()} never throws a {@link RuntimeException}.
 *
 * <p>Threading: {@link #runOnce()} is synchronized; concurrent calls run one after the other.
 */
public final class Archiver {

    private static final Logger log = LoggerFactory.getLogger(Archiver.class);

    private final MessageStore store;
    private final int slotCount;
    private final Duration retention;
    private final int batchSize;
    private final int maxPerRun;
    private final DelayClock clock;
    private final Counter archived;
    private final Counter errors;
    /** Slot the next run starts at; guarded by {@code this}. */
    private int nextSlot;

    /**
     * @param slotCount number of slots (1..{@value MessageIds#MAX_SLOTS}); slots {@code 0..slotCount-1} are purged
     * @param retention finished messages updated longer ago than this are deleted (at least 0)
     * @param batchSize most messages one delete statement removes
     * @param maxPerRun most messages one run removes (at least {@code batchSize})
     */
    public Archiver(MessageStore store, int slotCount, Duration retention, int batchSize, int maxPerRun,
                    DelayClock clock, MeterRegistry registry) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
        if (slotCount < 1 || slotCount > MessageIds.MAX_SLOTS) {
            throw new IllegalArgumentException("slotCount must be 1.." + MessageIds.MAX_SLOTS + ", was " + slotCount);
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative, was " + retention);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        if (maxPerRun < batchSize) {
            throw new IllegalArgumentException("maxPerRun (" + maxPerRun + ") must be at least batchSize ("
                    + batchSize + ")");
        }
        this.slotCount = slotCount;
        this.batchSize = batchSize;
        this.maxPerRun = maxPerRun;
        this.archived = Counter.builder("hourglass.messages.archived")
                .description("Finished messages deleted by the archive job after the retention").register(registry);
        this.errors = registry.counter("hourglass.loop.errors", "loop", "archiver");
    }

    /**
     * Deletes finished messages updated before {@code now - retention}, slot by slot, in batches, up to
     * {@code maxPerRun}. Stops early (keeping the interrupt flag) when the calling thread is interrupted.
     *
     * @return how many messages this run deleted
     */
    public synchronized int runOnce() {
        long started = clock.now();
        long cutoff = started - retention.toMillis();
        int total = 0;
        int visited = 0;
        int slot = nextSlot;
        try {
            while (visited < slotCount && total < maxPerRun && !Thread.currentThread().isInterrupted()) {
                int limit;
                int n;
                do {
                    limit = Math.min(batchSize, maxPerRun - total);
                    n = store.purgeFinished(slot, cutoff, limit);
                    total += n;
                    archived.increment(n);
                } while (n == limit && total < maxPerRun && !Thread.currentThread().isInterrupted());
                if (n == limit) {
                    break; // cap reached or interrupted while the slot may hold more: the next run starts here
                }
                slot = (slot + 1) % slotCount;
                visited++;
            }
        } catch (RuntimeException e) {
            errors.increment();
            log.warn("Archive run failed after deleting {} messages [slot={} cutoff={}]", total, slot,
                    Instant.ofEpochMilli(cutoff), e);
        }
        nextSlot = slot;
        log.info("Archive run deleted {} finished messages updated before {} ({} of {} slots done, {} ms)",
                total, Instant.ofEpochMilli(cutoff), visited, slotCount, clock.now() - started);
        return total;
    }
}
