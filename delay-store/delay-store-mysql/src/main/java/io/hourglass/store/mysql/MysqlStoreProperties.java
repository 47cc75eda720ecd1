package io.hourglass.store.mysql;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Settings of the MySQL store, under {@code delay.store.mysql} (selected by {@code delay.store.type=mysql}, the
 * default: MySQL 8, MariaDB 10.11, or H2 in MODE=MySQL, as spring.datasource.url says). The database itself is Spring
 * Boot's {@code spring.datasource.*} (URL, user, pool); the schema is applied by Flyway ({@code spring.flyway.*}).
 *
 * @param batchSize          Most ids one IN (...) list carries. Larger calls are cut into several statements of
 *                           one transaction. (Inserts are one JDBC batch per call; the driver splits the packets.)
 * @param transactionTimeout Longest time one transactional store call may take (insert, claim, the FIRING
 *                           transitions, reschedule, releaseStuck). Its statements time out with it and the call
 *                           fails with StoreUnavailableException; it also bounds the connection's socket reads
 *                           (plus 1 s), so that a silent database host fails the call too (BoundedTransactionManager).
 *                           Single-statement reads and cancel are bounded by the driver's socket timeout (e.g.
 *                           socketTimeout in a MariaDB URL).
 */
@Validated
@ConfigurationProperties("delay.store.mysql")
public record MysqlStoreProperties(
        @DefaultValue("500") @Min(1) @Max(10_000) int batchSize,
        @DefaultValue("30s") @NotNull Duration transactionTimeout) {

    public MysqlStoreProperties {
        if (transactionTimeout != null && transactionTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("delay.store.mysql.transaction-timeout must be at least 1s, was "
                    + transactionTimeout);
        }
    }

    /** The defaults, for use outside Spring (tests, tools). */
    public static MysqlStoreProperties defaults() {
        return new MysqlStoreProperties(500, Duration.ofSeconds(30));
    }
}
