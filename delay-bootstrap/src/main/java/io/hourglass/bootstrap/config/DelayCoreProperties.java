package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.EngineSettings.Firing;
import io.hourglass.core.engine.EngineSettings.Limits;
import io.hourglass.core.engine.EngineSettings.Preload;
import io.hourglass.core.engine.EngineSettings.Retry;
import io.hourglass.core.engine.EngineSettings.Sweep;
import io.hourglass.core.engine.EngineSettings.Writes;
import io.hourglass.core.engine.EngineSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The delay engine ({@code delay.core.*}). Every value is checked at start; a bad one stops the server with a
 * message naming the key.
 *
 * <p>The defaults are not written here: each field starts as {@link EngineSettings#defaults()}, the engine's one
 * definition, so an unset key is exactly the engine's default ({@code DelayCorePropertiesTest} binds an empty
 * environment and compares). This class adds only the key names, their documentation and their bounds.
 */
@Validated
@ConfigurationProperties("delay.core")
public class DelayCoreProperties {

    private static final EngineSettings D = EngineSettings.defaults();

    /** Messages due within this span are held in memory, in the timing wheel (the preload window). */
    @NotNull @DurationMin(seconds = 1)
    private Duration within = D.preload().within();

    /** Largest accepted delay (and repeat interval). */
    @NotNull @DurationMin(millis = 1)
    private Duration maxDelay = D.limits().maxDelay();

    /** A deliverAt up to this far in the past is accepted as "due now"; older is a 400. */
    @NotNull @DurationMin(millis = 0)
    private Duration pastTolerance = D.limits().pastTolerance();

    /** Largest payload in UTF-8 bytes; larger is a 413. */
    @Min(1) @Max(16 * 1024 * 1024)
    private int maxPayloadBytes = D.limits().maxPayloadBytes();

    /** Smallest repeatIntervalMs of a repeating message. */
    @NotNull @DurationMin(millis = 1)
    private Duration minRepeatInterval = D.limits().minRepeatInterval();

    /** Emit attempts before a message goes DEAD. */
    @Min(1)
    private int maxAttempts = D.retry().maxAttempts();

    /** Delay before the first retry of a failed emit; doubles per attempt. */
    @NotNull @DurationMin(millis = 1)
    private Duration retryInitialBackoff = D.retry().initialBackoff();

    /** Cap of the retry delay. */
    @NotNull @DurationMin(millis = 1)
    private Duration retryMaxBackoff = D.retry().maxBackoff();

    /** How often the preloader moves the in-memory window forward. */
    @NotNull @DurationMin(millis = 10) @DurationMax(minutes = 10)
    private Duration preloadInterval = D.preload().interval();

    /** Rows per preload query. */
    @Min(1) @Max(100_000)
    private int preloadBatchSize = D.preload().batchSize();

    /** Most messages held in memory; the window shrinks rather than the heap overflowing. */
    @Min(1)
    private int maxInMemory = D.preload().maxInMemory();

    /** How often the sweeper looks for stuck claims and missed messages. */
    @NotNull @DurationMin(millis = 10)
    private Duration sweepInterval = D.sweep().interval();

    /** A SCHEDULED message this overdue (and not queued) is re-fired by the sweeper. */
    @NotNull @DurationMin(millis = 0)
    private Duration sweepGrace = D.sweep().grace();

    /** A FIRING claim older than this is considered dead and fired again. */
    @NotNull @DurationMin(seconds = 1)
    private Duration claimTimeout = D.sweep().claimTimeout();

    /** Messages per claim / emit / mark batch. */
    @Min(1) @Max(10_000)
    private int fireBatchSize = D.firing().batchSize();

    /** Firing batches in flight at once. */
    @Min(1) @Max(256)
    private int fireThreads = D.firing().threads();

    /** A fire later than this after the due time counts in hourglass.messages.late. */
    @NotNull @DurationMin(millis = 0)
    private Duration lateThreshold = D.firing().lateThreshold();

    /** Most messages per group commit. */
    @Min(1) @Max(10_000)
    private int writeBatchSize = D.writes().batchSize();

    /** Submits waiting for a commit before new ones get a 503. */
    @Min(1)
    private int writeQueueCapacity = D.writes().queueCapacity();

    /**
     * Message bytes waiting for a commit before new submits get a 503 (a memory bound). Default: an eighth of the
     * maximum heap, at most 128 MB.
     */
    @NotNull
    private DataSize maxQueuedBytes = DataSize.ofBytes(D.writes().maxQueuedBytes());

    /** A submit not taken into a commit within this gets a 503 and is never stored. */
    @NotNull @DurationMin(millis = 10)
    private Duration maxWriteWait = D.writes().maxWait();

    /** Group commits in flight at once: 1 suits H2 and MySQL; Cassandra's insert needs several. */
    @Min(1) @Max(64)
    private int writeThreads = D.writes().threads();

    /** The engine's settings, grouped as the engine reads them. */
    EngineSettings toSettings() {
        return new EngineSettings(
                new Limits(maxDelay, pastTolerance, maxPayloadBytes, minRepeatInterval),
                new Writes(writeBatchSize, writeQueueCapacity, Math.max(1, maxQueuedBytes.toBytes()), maxWriteWait,
                        writeThreads),
                new Preload(within, preloadInterval, preloadBatchSize, maxInMemory),
                new Firing(fireBatchSize, fireThreads, lateThreshold),
                new Retry(maxAttempts, retryInitialBackoff, retryMaxBackoff),
                new Sweep(sweepInterval, sweepGrace, claimTimeout));
    }

    public Duration getWithin() { return within; }
    public void setWithin(Duration within) { this.within = within; }
    public Duration getMaxDelay() { return maxDelay; }
    public void setMaxDelay(Duration maxDelay) { this.maxDelay = maxDelay; }
    public Duration getPastTolerance() { return pastTolerance; }
    public void setPastTolerance(Duration pastTolerance) { this.pastTolerance = pastTolerance; }
    public int getMaxPayloadBytes() { return maxPayloadBytes; }
    public void setMaxPayloadBytes(int maxPayloadBytes) { this.maxPayloadBytes = maxPayloadBytes; }
    public Duration getMinRepeatInterval() { return minRepeatInterval; }
    public void setMinRepeatInterval(Duration minRepeatInterval) { this.minRepeatInterval = minRepeatInterval; }
    public int getMaxAttempts() { return maxAttempts; }
    public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
    public Duration getRetryInitialBackoff() { return retryInitialBackoff; }
    public void setRetryInitialBackoff(Duration retryInitialBackoff) { this.retryInitialBackoff = retryInitialBackoff; }
    public Duration getRetryMaxBackoff() { return retryMaxBackoff; }
    public void setRetryMaxBackoff(Duration retryMaxBackoff) { this.retryMaxBackoff = retryMaxBackoff; }
    public Duration getPreloadInterval() { return preloadInterval; }
    public void setPreloadInterval(Duration preloadInterval) { this.preloadInterval = preloadInterval; }
    public int getPreloadBatchSize() { return preloadBatchSize; }
    public void setPreloadBatchSize(int preloadBatchSize) { this.preloadBatchSize = preloadBatchSize; }
    public int getMaxInMemory() { return maxInMemory; }
    public void setMaxInMemory(int maxInMemory) { this.maxInMemory = maxInMemory; }
    public Duration getSweepInterval() { return sweepInterval; }
    public void setSweepInterval(Duration sweepInterval) { this.sweepInterval = sweepInterval; }
    public Duration getSweepGrace() { return sweepGrace; }
    public void setSweepGrace(Duration sweepGrace) { this.sweepGrace = sweepGrace; }
    public Duration getClaimTimeout() { return claimTimeout; }
    public void setClaimTimeout(Duration claimTimeout) { this.claimTimeout = claimTimeout; }
    public int getFireBatchSize() { return fireBatchSize; }
    public void setFireBatchSize(int fireBatchSize) { this.fireBatchSize = fireBatchSize; }
    public int getFireThreads() { return fireThreads; }
    public void setFireThreads(int fireThreads) { this.fireThreads = fireThreads; }
    public Duration getLateThreshold() { return lateThreshold; }
    public void setLateThreshold(Duration lateThreshold) { this.lateThreshold = lateThreshold; }
    public int getWriteBatchSize() { return writeBatchSize; }
    public void setWriteBatchSize(int writeBatchSize) { this.writeBatchSize = writeBatchSize; }
    public int getWriteQueueCapacity() { return writeQueueCapacity; }
    public void setWriteQueueCapacity(int writeQueueCapacity) { this.writeQueueCapacity = writeQueueCapacity; }
    public DataSize getMaxQueuedBytes() { return maxQueuedBytes; }
    public void setMaxQueuedBytes(DataSize maxQueuedBytes) { this.maxQueuedBytes = maxQueuedBytes; }
    public Duration getMaxWriteWait() { return maxWriteWait; }
    public void setMaxWriteWait(Duration maxWriteWait) { this.maxWriteWait = maxWriteWait; }
    public int getWriteThreads() { return writeThreads; }
    public void setWriteThreads(int writeThreads) { this.writeThreads = writeThreads; }
}
