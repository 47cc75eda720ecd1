package io.hourglass.bootstrap.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How each server looks up apps ({@code delay.apps.*}).
 *
 * @param cacheTtl  how long a server trusts what it read of an app (enabled, secrets, topics, quotas); a change made
 *                  on another server is honoured here within this time at the latest (1 s by default)
 * @param cacheSize apps held in each server's cache at most; unknown keys are never held
 */
@Validated
@ConfigurationProperties("delay.apps")
public record AppsProperties(
        @NotNull @DefaultValue("1s") @DurationMin(millis = 0) @DurationMax(minutes = 10) Duration cacheTtl,
        @DefaultValue("10000") @Min(1) @Max(10_000_000) long cacheSize) {
}
