package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.EngineSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * The delay engine ({@code delay.core.*}). Every value is checked at start; a bad one stops the server with a
 * message naming the key.
 *
 * @param within              messages due within this span are held in memory, in the timing wheel
 * @param maxDelay            largest accepted delay (and repeat interval)
 * @param pastTolerance       a {@code deliverAt} up to this far in the past is accepted as "due now"; older is a 400
 * @param maxPayloadBytes     largest payload in UTF-8 bytes; larger is a 413
 * @param maxAttempts         emit attempts before a message goes DEAD
 * @param retryInitialBackoff delay before the first retry of a failed emit; doubles per attempt
 * @param retryMaxBackoff     cap of the retry delay
 * @param minRepeatInterval   smallest {@code repeatIntervalMs}
 * @param preloadInterval     how often the preloader moves the in-memory window forward
 * @param preloadBatchSize    rows per preload query
 * @param maxInMemory         most messages held in memory; the window shrinks rather than the heap overflowing
 * @param sweepInterval       how often the sweeper looks for stuck claims and missed messages
 * @param sweepGrace          a SCHEDULED message this overdue (and not queued) is re-fired by the sweeper
 * @param claimTimeout        a FIRING claim older than this is considered dead and fired again
 * @param fireBatchSize       messages per claim / emit / mark batch
 * @param fireThreads         firing batches in flight at once
 * @param writeBatchSize      most messages per group commit
 * @param writeQueueCapacity  submits waiting for a commit before new ones get a 503
 * @param maxQueuedBytes      message bytes waiting for a commit before new submits get a 503 (memory bound); unset:
 *                            an eighth of the maximum heap, at most 128 MB
 * @param maxWriteWait        a submit not taken into a commit within this gets a 503 and is never stored
 * @param lateThreshold       a fire later than this after the due time counts in {@code hourglass.messages.late}
 */
@Validated
@ConfigurationProperties("delay.core")
public record DelayCoreProperties(
        @NotNull @DefaultValue("5m") @DurationMin(seconds = 1) Duration within,
        @NotNull @DefaultValue("365d") @DurationMin(millis = 1) Duration maxDelay,
        @NotNull @DefaultValue("30s") @DurationMin(millis = 0) Duration pastTolerance,
        @DefaultValue("262144") @Min(1) @Max(16 * 1024 * 1024) int maxPayloadBytes,
        @DefaultValue("30") @Min(1) int maxAttempts,
        @NotNull @DefaultValue("1s") @DurationMin(millis = 1) Duration retryInitialBackoff,
        @NotNull @DefaultValue("5m") @DurationMin(millis = 1) Duration retryMaxBackoff,
        @NotNull @DefaultValue("1s") @DurationMin(millis = 1) Duration minRepeatInterval,
        @NotNull @DefaultValue("1s") @DurationMin(millis = 10) @DurationMax(minutes = 10) Duration preloadInterval,
        @DefaultValue("2000") @Min(1) @Max(100_000) int preloadBatchSize,
        @DefaultValue("5000000") @Min(1) int maxInMemory,
        @NotNull @DefaultValue("10s") @DurationMin(millis = 10) Duration sweepInterval,
        @NotNull @DefaultValue("30s") @DurationMin(millis = 0) Duration sweepGrace,
        @NotNull @DefaultValue("60s") @DurationMin(seconds = 1) Duration claimTimeout,
        @DefaultValue("500") @Min(1) @Max(10_000) int fireBatchSize,
        @DefaultValue("4") @Min(1) @Max(256) int fireThreads,
        @DefaultValue("1000") @Min(1) @Max(10_000) int writeBatchSize,
        @DefaultValue("100000") @Min(1) int writeQueueCapacity,
        DataSize maxQueuedBytes,
        @NotNull @DefaultValue("5s") @DurationMin(millis = 10) Duration maxWriteWait,
        @DefaultValue("1") @Min(1) @Max(64) int writeThreads,
        @NotNull @DefaultValue("1s") @DurationMin(millis = 0) Duration lateThreshold) {

    EngineSettings toSettings() {
        return new EngineSettings(within, maxDelay, pastTolerance, maxPayloadBytes, maxAttempts, retryInitialBackoff,
                retryMaxBackoff, minRepeatInterval, preloadInterval, preloadBatchSize, maxInMemory, sweepInterval,
                sweepGrace, claimTimeout, fireBatchSize, fireThreads, writeBatchSize, writeQueueCapacity,
                queuedBytesBudget(), maxWriteWait, writeThreads, lateThreshold);
    }

    /** The configured write-queue budget, or an eighth of the maximum heap, at most 128 MB (at least 1 MB). */
    long queuedBytesBudget() {
        if (maxQueuedBytes != null) {
            return Math.max(1, maxQueuedBytes.toBytes());
        }
        return Math.max(1024 * 1024, Math.min(EngineSettings.DEFAULT_MAX_QUEUED_BYTES, Runtime.getRuntime().maxMemory() / 8));
    }
}
