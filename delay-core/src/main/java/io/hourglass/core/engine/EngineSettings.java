package io.hourglass.core.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the engine, in plain Java (the Spring layer binds {@code delay.core.*} and hands this over).
 *
 * @param within              messages due within this span sit in memory (the preload window)
 * @param maxDelay            largest accepted delay
 * @param pastTolerance       a {@code deliverAt} up to this far in the past is accepted as "due now"; older is refused
 * @param maxPayloadBytes     largest payload, in UTF-8 bytes
 * @param maxAttempts         emit attempts before a message goes DEAD
 * @param retryInitialBackoff first retry delay; doubles per attempt
 * @param retryMaxBackoff     cap of the retry delay
 * @param minRepeatInterval   smallest {@code repeatIntervalMs}
 * @param preloadInterval     how often the preloader advances the watermarks
 * @param preloadBatchSize    rows per preload page
 * @param maxInMemory         cap of messages held in the wheel; the preloader stops advancing at the cap
 * @param sweepInterval       how often the sweeper runs
 * @param sweepGrace          a SCHEDULED message overdue by more than this, and not queued, is re-fired by the sweeper
 * @param claimTimeout        a FIRING claim older than this is considered dead and released
 * @param fireBatchSize       messages per claim/emit/mark batch
 * @param fireThreads         concurrent firing batches
 * @param writeBatchSize      messages per group commit
 * @param writeQueueCapacity  submits waiting for a commit before new ones are refused (503)
 * @param maxQueuedBytes      message bytes (payload, key, headers, as held on the heap) waiting for a commit before
 *                            new submits are refused (503): bounds the queue's memory, not only its count
 * @param maxWriteWait        a submit still waiting for its commit after this is answered 503 and never stored (the
 *                            store is slow or frozen: the client retries with its idempotency key instead of hanging)
 * @param writeThreads        group commits in flight at once: 1 suits a store with fast commits (H2, MySQL); a store
 *                            whose insert takes several round trips (Cassandra) needs several
 * @param lateThreshold       a fire later than this after its due time counts as late
 */
public record EngineSettings(
        Duration within,
        Duration maxDelay,
        Duration pastTolerance,
        int maxPayloadBytes,
        int maxAttempts,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        Duration minRepeatInterval,
        Duration preloadInterval,
        int preloadBatchSize,
        int maxInMemory,
        Duration sweepInterval,
        Duration sweepGrace,
        Duration claimTimeout,
        int fireBatchSize,
        int fireThreads,
        int writeBatchSize,
        int writeQueueCapacity,
        long maxQueuedBytes,
        Duration maxWriteWait,
        int writeThreads,
        Duration lateThreshold) {

    public EngineSettings {
        Objects.requireNonNull(within, "within");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(pastTolerance, "pastTolerance");
        Objects.requireNonNull(retryInitialBackoff, "retryInitialBackoff");
        Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
        Objects.requireNonNull(minRepeatInterval, "minRepeatInterval");
        Objects.requireNonNull(preloadInterval, "preloadInterval");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
        Objects.requireNonNull(sweepGrace, "sweepGrace");
        Objects.requireNonNull(claimTimeout, "claimTimeout");
        Objects.requireNonNull(lateThreshold, "lateThreshold");
        Objects.requireNonNull(maxWriteWait, "maxWriteWait");
        if (maxWriteWait.isNegative() || maxWriteWait.isZero()) {
            throw new IllegalArgumentException("maxWriteWait must be > 0, was " + maxWriteWait);
        }
        positive("maxPayloadBytes", maxPayloadBytes);
        positive("maxAttempts", maxAttempts);
        positive("preloadBatchSize", preloadBatchSize);
        positive("maxInMemory", maxInMemory);
        positive("fireBatchSize", fireBatchSize);
        positive("fireThreads", fireThreads);
        positive("writeBatchSize", writeBatchSize);
        positive("writeQueueCapacity", writeQueueCapacity);
        positive("writeThreads", writeThreads);
        if (maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("maxQueuedBytes must be > 0, was " + maxQueuedBytes);
        }
    }

    /** 128 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 128L * 1024 * 1024;

    /** The documented defaults. */
    public static EngineSettings defaults() {
        return new EngineSettings(
                Duration.ofMinutes(5), Duration.ofDays(365), Duration.ofSeconds(30), 256 * 1024, 30,
                Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 2000, 5_000_000,
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
                500, 4, 1000, 100_000, DEFAULT_MAX_QUEUED_BYTES, Duration.ofSeconds(5), 1,
                Duration.ofSeconds(1));
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    public EngineSettings withWithin(Duration within) {
        return toBuilder().within(within).build();
    }

    public EngineSettings withRetry(int attempts, Duration initial, Duration max) {
        return toBuilder().maxAttempts(attempts).retryInitialBackoff(initial).retryMaxBackoff(max).build();
    }

    public EngineSettings withSweep(Duration interval, Duration grace, Duration claim) {
        return toBuilder().sweepInterval(interval).sweepGrace(grace).claimTimeout(claim).build();
    }

    public EngineSettings withMaxInMemory(int cap, int batchSize) {
        return toBuilder().maxInMemory(cap).preloadBatchSize(batchSize).build();
    }

    public EngineSettings withWriteThreads(int threads) {
        return toBuilder().writeThreads(threads).build();
    }

    Builder toBuilder() {
        return new Builder(this);
    }

    /** A copy of some settings with a few changed (for tests and tools). */
    static final class Builder {
        private Duration within;
        private Duration maxDelay;
        private Duration pastTolerance;
        private int maxPayloadBytes;
        private int maxAttempts;
        private Duration retryInitialBackoff;
        private Duration retryMaxBackoff;
        private Duration minRepeatInterval;
        private Duration preloadInterval;
        private int preloadBatchSize;
        private int maxInMemory;
        private Duration sweepInterval;
        private Duration sweepGrace;
        private Duration claimTimeout;
        private int fireBatchSize;
        private int fireThreads;
        private int writeBatchSize;
        private int writeQueueCapacity;
        private long maxQueuedBytes;
        private Duration maxWriteWait;
        private int writeThreads;
        private Duration lateThreshold;

        private Builder(EngineSettings s) {
            within = s.within;
            maxDelay = s.maxDelay;
            pastTolerance = s.pastTolerance;
            maxPayloadBytes = s.maxPayloadBytes;
            maxAttempts = s.maxAttempts;
            retryInitialBackoff = s.retryInitialBackoff;
            retryMaxBackoff = s.retryMaxBackoff;
            minRepeatInterval = s.minRepeatInterval;
            preloadInterval = s.preloadInterval;
            preloadBatchSize = s.preloadBatchSize;
            maxInMemory = s.maxInMemory;
            sweepInterval = s.sweepInterval;
            sweepGrace = s.sweepGrace;
            claimTimeout = s.claimTimeout;
            fireBatchSize = s.fireBatchSize;
            fireThreads = s.fireThreads;
            writeBatchSize = s.writeBatchSize;
            writeQueueCapacity = s.writeQueueCapacity;
            maxQueuedBytes = s.maxQueuedBytes;
            maxWriteWait = s.maxWriteWait;
            writeThreads = s.writeThreads;
            lateThreshold = s.lateThreshold;
        }

        Builder within(Duration v) {
            within = v;
            return this;
        }

        Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        Builder retryInitialBackoff(Duration v) {
            retryInitialBackoff = v;
            return this;
        }

        Builder retryMaxBackoff(Duration v) {
            retryMaxBackoff = v;
            return this;
        }

        Builder preloadBatchSize(int v) {
            preloadBatchSize = v;
            return this;
        }

        Builder maxInMemory(int v) {
            maxInMemory = v;
            return this;
        }

        Builder sweepInterval(Duration v) {
            sweepInterval = v;
            return this;
        }

        Builder sweepGrace(Duration v) {
            sweepGrace = v;
            return this;
        }

        Builder maxQueuedBytes(long v) {
            maxQueuedBytes = v;
            return this;
        }

        Builder maxWriteWait(Duration v) {
            maxWriteWait = v;
            return this;
        }

        Builder minRepeatInterval(Duration v) {
            minRepeatInterval = v;
            return this;
        }

        Builder writeThreads(int v) {
            writeThreads = v;
            return this;
        }

        Builder claimTimeout(Duration v) {
            claimTimeout = v;
            return this;
        }

        EngineSettings build() {
            return new EngineSettings(within, maxDelay, pastTolerance, maxPayloadBytes, maxAttempts,
                    retryInitialBackoff, retryMaxBackoff, minRepeatInterval, preloadInterval, preloadBatchSize,
                    maxInMemory, sweepInterval, sweepGrace, claimTimeout, fireBatchSize, fireThreads, writeBatchSize,
                    writeQueueCapacity, maxQueuedBytes, maxWriteWait, writeThreads, lateThreshold);
        }
    }
}
