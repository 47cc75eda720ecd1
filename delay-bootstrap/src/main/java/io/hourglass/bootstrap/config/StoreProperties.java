package io.hourglass.bootstrap.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.quartz.CronExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.text.ParseException;
import java.time.Duration;

/**
 * The store of the server ({@code delay.store.*}): which one, and the archive job that deletes finished messages
 * (DELIVERED, CANCELLED, DEAD) once they are older than the retention. Each store's own settings are under its name
 * and bound by its module: {@code delay.store.mysql.*}, {@code delay.store.cassandra.*}.
 *
 * @param type               {@code mysql} (MySQL 8, MariaDB 10.11, or H2 in MySQL mode, as
 *                           {@code spring.datasource.url} says) or {@code cassandra}
 * @param retention          a finished message is deleted once its last change is this old. Deleting it frees its
 *                           idempotency key, so this is also how long a client may safely retry a submit
 * @param archiveScheduler   Quartz cron expression (seconds first, UTC) of the archive runs; every 3 hours by default
 * @param archiveBatchSize   most messages one DELETE statement removes; a run stops after 10,000 batches and the
 *                           next run carries on
 */
@Validated
@ConfigurationProperties("delay.store")
public record StoreProperties(
        @NotNull @DefaultValue("mysql") Type type,
        @NotNull @DefaultValue("7d") @DurationMin(minutes = 1) Duration retention,
        @NotBlank @DefaultValue("0 0 0/3 * * ?") String archiveScheduler,
        @DefaultValue("1000") @Min(1) @Max(10_000) int archiveBatchSize) {

    /** The stores. */
    public enum Type { MYSQL, CASSANDRA }

    /** Batches one run may delete before it leaves the rest to the next run. */
    static final int MAX_BATCHES_PER_RUN = 10_000;

    public StoreProperties {
        if (archiveScheduler != null && !archiveScheduler.isBlank()) {
            try {
                CronExpression.validateExpression(archiveScheduler);
            } catch (ParseException e) {
                throw new IllegalArgumentException("delay.store.archive-scheduler is not a valid Quartz cron expression"
                        + " (seconds minutes hours day-of-month month day-of-week [year]): '" + archiveScheduler
                        + "': " + e.getMessage(), e);
            }
        }
    }

    /** Most messages one run deletes. */
    int maxPerRun() {
        return archiveBatchSize * MAX_BATCHES_PER_RUN;
    }
}
