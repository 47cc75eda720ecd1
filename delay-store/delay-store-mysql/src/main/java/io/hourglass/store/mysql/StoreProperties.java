package io.hourglass.store.mysql;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Settings of the store, under {@code delay.store}. The database itself is Spring Boot's
 * {@code spring.datasource.*} (URL, user, pool); the schema is applied by Flyway ({@code spring.flyway.*}).
 *
 * @param type               Store backend of the server: "mysql" (this module: MySQL 8, MariaDB 10.11, or H2 in
 *                           MODE=MySQL, as spring.datasource.url says) or "cassandra". This module backs off for any
 *                           other value.
 * @param batchSize          Most rows one statement touches: the rows of one multi-row INSERT, the ids of one
 *                           IN (...) list. Larger calls are cut into several statements of one transaction.
 * @param maxStatementSize   Most payload (UTF-8) one multi-row INSERT carries. Keep it well under the server's
 *                           max_allowed_packet (16MB on MariaDB, 64MB on MySQL 8). A larger single message still
 *                           goes, alone.
 * @param transactionTimeout Longest time one transactional store call may take (insert, claim, the FIRING
 *                           transitions, reschedule, releaseStuck). Its statements time out with it and the call
 *                           fails with StoreUnavailableException. Single-statement reads and cancel are bounded by the
 *                           driver's socket timeout (e.g. socketTimeout in a MariaDB URL).
 */
@Validated
@ConfigurationProperties("delay.store")
public record StoreProperties(
        @DefaultValue("mysql") @NotBlank String type,
        @DefaultValue("500") @Min(1) @Max(10_000) int batchSize,
        @DefaultValue("4MB") @NotNull DataSize maxStatementSize,
        @DefaultValue("30s") @NotNull Duration transactionTimeout) {

    public StoreProperties {
        if (maxStatementSize != null && maxStatementSize.toBytes() < 1024) {
            throw new IllegalArgumentException("delay.store.max-statement-size must be at least 1KB, was "
                    + maxStatementSize);
        }
        if (transactionTimeout != null && transactionTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("delay.store.transaction-timeout must be at least 1s, was "
                    + transactionTimeout);
        }
    }

    /** The defaults, for use outside Spring (tests, tools). */
    public static StoreProperties defaults() {
        return new StoreProperties("mysql", 500, DataSize.ofMegabytes(4), Duration.ofSeconds(30));
    }
}
