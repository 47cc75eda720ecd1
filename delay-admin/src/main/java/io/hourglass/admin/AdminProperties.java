package io.hourglass.admin;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The admin API and console ({@code delay.admin.*}).
 *
 * @param enabled           serve {@code /admin/**}; when off, every {@code /admin/**} request is refused (404)
 * @param firstAdmin        the admin user created when the store has none
 * @param secretGracePeriod how long an app's previous secret keeps working after a rotation (default 24 h), unless
 *                          the rotation asks for another one
 * @param topics            how topics are created at the target when an app is allowed one
 * @param login             throttling of failed logins
 */
@Validated
@ConfigurationProperties(AdminProperties.PREFIX)
public record AdminProperties(
        @DefaultValue("true") boolean enabled,
        @Valid @NotNull @DefaultValue FirstAdmin firstAdmin,
        @NotNull @DefaultValue("24h") @DurationMin(seconds = 0) Duration secretGracePeriod,
        @Valid @NotNull @DefaultValue Topics topics,
        @Valid @NotNull @DefaultValue Login login) {

    public static final String PREFIX = "delay.admin";

    /**
     * The first admin user, created at start when the store has no admin user at all (never changed afterwards).
     *
     * @param username     its name
     * @param password     its password; when empty, a random one is generated, stored hashed and written to
     *                     {@code passwordFile} (never to the log)
     * @param passwordFile where a generated password is written, readable by the server's OS user only
     */
    public record FirstAdmin(@DefaultValue("admin") String username, @DefaultValue("") String password,
                             @DefaultValue("data/admin-initial-password") String passwordFile) {
    }

    /**
     * @param partitions        partitions of a topic created when it is allowed; 0 = the broker's default
     * @param replicationFactor replicas of such a topic; 0 = the broker's default
     */
    public record Topics(@DefaultValue("0") @Min(0) @Max(100_000) int partitions,
                         @DefaultValue("0") @Min(0) @Max(Short.MAX_VALUE) int replicationFactor) {
    }

    /**
     * After {@code maxFailures} failed logins within {@code window} for one username or from one client address,
     * further attempts are refused (429, {@code Retry-After}) until the window has passed.
     *
     * @param maxFailures failed attempts allowed per window
     * @param window      the window
     */
    public record Login(@DefaultValue("5") @Min(1) int maxFailures,
                        @NotNull @DefaultValue("5m") @DurationMin(seconds = 1) Duration window) {
    }
}
