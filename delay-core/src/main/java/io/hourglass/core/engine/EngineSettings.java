package io.hourglass.core.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the engine, in plain Java, grouped by concern. This is the one place where the engine's settings and
 * their defaults are defined: the Spring layer binds {@code delay.core.*} onto a copy of {@link #defaults()} and
 * hands the result over, so a key left unset means exactly the default written here.
 *
 * <p>Each group checks its own values; a test builds a variant with {@code defaults().with(...)} of one group.
 *
 * @param limits  what a submit may ask for
 * @param writes  the group commit of submits
 * @param preload the in-memory window
 * @param firing  the claim / emit / mark batches
 * @param retry   failed emits
 * @param sweep   stuck claims and missed messages
 */
public record EngineSettings(Limits limits, Writes writes, Preload preload, Firing firing, Retry retry, Sweep sweep) {

    public EngineSettings {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(writes, "writes");
        Objects.requireNonNull(preload, "preload");
        Objects.requireNonNull(firing, "firing");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(sweep, "sweep");
    }

    /** The documented defaults. */
    public static EngineSettings defaults() {
        return DEFAULTS;
    }

    private static final EngineSettings DEFAULTS = new EngineSettings(Limits.DEFAULTS, Writes.DEFAULTS,
            Preload.DEFAULTS, Firing.DEFAULTS, Retry.DEFAULTS, Sweep.DEFAULTS);

    public EngineSettings with(Limits limits) {
        return new EngineSettings(limits, writes, preload, firing, retry, sweep);
    }

    public EngineSettings with(Writes writes) {
        return new EngineSettings(limits, writes, preload, firing, retry, sweep);
    }

    public EngineSettings with(Preload preload) {
        return new EngineSettings(limits, writes, preload, firing, retry, sweep);
    }

    public EngineSettings with(Firing firing) {
        return new EngineSettings(limits, writes, preload, firing, retry, sweep);
    }

    public EngineSettings with(Retry retry) {
        return new EngineSettings(limits, writes, preload, firing, retry, sweep);
    }

    public EngineSettings with(Sweep sweep) {
        return new EngineSettings(limits, writes, preload, firing, retry, sweep);
    }

    /**
     * What a submit may ask for.
     *
     * @param maxDelay          largest accepted delay (and repeat interval)
     * @param pastTolerance     a {@code deliverAt} up to this far in the past is accepted as "due now"; older is refused
     * @param maxPayloadBytes   largest payload, in UTF-8 bytes
     * @param minRepeatInterval smallest {@code repeatIntervalMs}
     */
    public record Limits(Duration maxDelay, Duration pastTolerance, int maxPayloadBytes, Duration minRepeatInterval) {
        public static final Limits DEFAULTS = new Limits(Duration.ofDays(365), Duration.ofSeconds(30), 256 * 1024,
                Duration.ofSeconds(1));

        public Limits {
            atLeast("maxDelay", maxDelay, Duration.ofMillis(1));
            atLeast("pastTolerance", pastTolerance, Duration.ZERO);
            positive("maxPayloadBytes", maxPayloadBytes);
            atLeast("minRepeatInterval", minRepeatInterval, Duration.ofMillis(1));
        }
    }

    /**
     * The group commit of submits.
     *
     * @param batchSize      most messages per group commit
     * @param queueCapacity  submits waiting for a commit before new ones are refused (503)
     * @param maxQueuedBytes message bytes (payload, key, headers, as held on the heap) waiting for a commit before new
     *                       submits are refused (503): bounds the queue's memory, not only its count. Default: an
     *                       eighth of the maximum heap, at most {@link #MAX_DEFAULT_QUEUED_BYTES}, at least 1 MiB
     * @param maxWait        a submit still waiting for its commit after this is answered 503 and never stored (the
     *                       store is slow or frozen: the client retries with its idempotency key instead of hanging)
     * @param threads        group commits in flight at once: 1 suits a store with fast commits (H2, MySQL); a store
     *                       whose insert takes several round trips (Cassandra) needs several
     */
    public record Writes(int batchSize, int queueCapacity, long maxQueuedBytes, Duration maxWait, int threads) {
        /** 128 MiB. */
        public static final long MAX_DEFAULT_QUEUED_BYTES = 128L * 1024 * 1024;

        public static final Writes DEFAULTS = new Writes(1000, 100_000, defaultQueuedBytes(Runtime.getRuntime().maxMemory()),
                Duration.ofSeconds(5), 1);

        public Writes {
            positive("batchSize", batchSize);
            positive("queueCapacity", queueCapacity);
            if (maxQueuedBytes <= 0) {
                throw new IllegalArgumentException("maxQueuedBytes must be > 0, was " + maxQueuedBytes);
            }
            atLeast("maxWait", maxWait, Duration.ofMillis(1));
            positive("threads", threads);
        }

        /** An eighth of {@code maxHeap}, at most 128 MiB, at least 1 MiB. */
        static long defaultQueuedBytes(long maxHeap) {
            return Math.max(1024 * 1024, Math.min(MAX_DEFAULT_QUEUED_BYTES, maxHeap / 8));
        }

        public Writes withMaxQueuedBytes(long bytes) {
            return new Writes(batchSize, queueCapacity, bytes, maxWait, threads);
        }

        public Writes withMaxWait(Duration wait) {
            return new Writes(batchSize, queueCapacity, maxQueuedBytes, wait, threads);
        }

        public Writes withThreads(int count) {
            return new Writes(batchSize, queueCapacity, maxQueuedBytes, maxWait, count);
        }
    }

    /**
     * The in-memory window.
     *
     * @param within      messages due within this span sit in memory, in the timing wheel
     * @param interval    how often the preloader advances the watermarks
     * @param batchSize   rows per preload page
     * @param maxInMemory cap of messages held in the wheel; the preloader stops advancing at the cap
     */
    public record Preload(Duration within, Duration interval, int batchSize, int maxInMemory) {
        public static final Preload DEFAULTS = new Preload(Duration.ofMinutes(5), Duration.ofSeconds(1), 2000, 5_000_000);

        public Preload {
            atLeast("within", within, Duration.ofMillis(1));
            atLeast("interval", interval, Duration.ofMillis(1));
            positive("batchSize", batchSize);
            positive("maxInMemory", maxInMemory);
        }

        public Preload withWithin(Duration span) {
            return new Preload(span, interval, batchSize, maxInMemory);
        }

        public Preload withMaxInMemory(int cap, int pageSize) {
            return new Preload(within, interval, pageSize, cap);
        }
    }

    /**
     * The claim / emit / mark batches.
     *
     * @param batchSize     messages per claim/emit/mark batch
     * @param threads       concurrent firing batches
     * @param lateThreshold a fire later than this after its due time counts as late
     */
    public record Firing(int batchSize, int threads, Duration lateThreshold) {
        public static final Firing DEFAULTS = new Firing(500, 4, Duration.ofSeconds(1));

        public Firing {
            positive("batchSize", batchSize);
            positive("threads", threads);
            atLeast("lateThreshold", lateThreshold, Duration.ZERO);
        }
    }

    /**
     * Failed emits.
     *
     * @param maxAttempts    emit attempts before a message goes DEAD
     * @param initialBackoff first retry delay; doubles per attempt
     * @param maxBackoff     cap of the retry delay
     */
    public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        public static final Retry DEFAULTS = new Retry(30, Duration.ofSeconds(1), Duration.ofMinutes(5));

        public Retry {
            positive("maxAttempts", maxAttempts);
            atLeast("initialBackoff", initialBackoff, Duration.ofMillis(1));
            atLeast("maxBackoff", maxBackoff, Duration.ofMillis(1));
        }
    }

    /**
     * Stuck claims and missed messages.
     *
     * @param interval     how often the sweeper runs
     * @param grace        a SCHEDULED message overdue by more than this, and not queued, is re-fired by the sweeper
     * @param claimTimeout a FIRING claim older than this is considered dead and released
     */
    public record Sweep(Duration interval, Duration grace, Duration claimTimeout) {
        public static final Sweep DEFAULTS = new Sweep(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

        public Sweep {
            atLeast("interval", interval, Duration.ofMillis(1));
            atLeast("grace", grace, Duration.ZERO);
            atLeast("claimTimeout", claimTimeout, Duration.ofMillis(1));
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    private static void atLeast(String name, Duration value, Duration min) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }
}
