package io.hourglass.redis;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Redis of a cluster ({@code delay.redis.*}, profile {@code redis}): the cluster-wide submit-rate quota, the
 * app-change announcements and the lock of cluster jobs (docs/redis.md).
 *
 * @param enabled        use Redis for those three; {@code false} (the default) keeps them per server
 * @param address        the Redis server, {@code redis://host:port} ({@code rediss://} for TLS); one server (or a
 *                       replica set behind one address), not a Redis Cluster
 * @param password       its password ({@code requirepass} / the default user's); empty for none
 * @param database       the logical database, 0..(the server's {@code databases} - 1)
 * @param connectTimeout longest wait to open one connection (a start with an unreachable server fails after a few
 *                       attempts)
 * @param timeout        longest wait for the answer to one command; a quota check waits no longer before this server
 *                       answers it alone (docs/redis.md, "Failures")
 * @param keyPrefix      first part of every key and channel name ({@code <prefix>:rate:<app>},
 *                       {@code <prefix>:app-changes}, {@code <prefix>:job:<job>}), so that several clusters share one
 *                       Redis
 */
@ConfigurationProperties("delay.redis")
@Validated
public record HourglassRedisProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("redis://127.0.0.1:6379")
        @NotNull @Pattern(regexp = "rediss?://[^\\s/]+:\\d+/?", message = "must be a redis://host:port or rediss://host:port URL")
        String address,
        @DefaultValue("") String password,
        @DefaultValue("0") @Min(0) int database,
        @DefaultValue("5s") @NotNull @DurationMin(millis = 100) Duration connectTimeout,
        @DefaultValue("2s") @NotNull @DurationMin(millis = 10) Duration timeout,
        @DefaultValue("hourglass")
        @NotNull @Pattern(regexp = "[^\\s{}]+", message = "must be non-empty, without whitespace or braces")
        String keyPrefix) {

    /** Prefix of the names of the apps' rate limiters: the app key follows. */
    String rateLimiterPrefix() {
        return keyPrefix + ":rate:";
    }

    /** Name of the channel of app changes. */
    String appChangesTopic() {
        return keyPrefix + ":app-changes";
    }

    /** Prefix of the names of job locks: the job's name follows. */
    String jobLockPrefix() {
        return keyPrefix + ":job:";
    }
}
