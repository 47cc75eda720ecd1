package io.hourglass.bootstrap.config;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where fired messages go ({@code delay.message.type}). Each emitter's own settings are under its name and bound by
 * its module: {@code delay.message.kafka.*}, {@code delay.message.http.*}; dead letters under
 * {@code delay.message.dead-letter.*}.
 *
 * @param type {@code kafka} (every topic to Kafka, except topics with a callback target while
 *             {@code delay.message.http.enabled} is on) or {@code http} (every topic by HTTP callback)
 */
@Validated
@ConfigurationProperties("delay.message")
public record MessageProperties(@NotNull @DefaultValue("kafka") Type type) {

    /** The emitters. */
    public enum Type { KAFKA, HTTP }
}
