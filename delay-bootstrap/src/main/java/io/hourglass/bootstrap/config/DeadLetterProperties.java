package io.hourglass.bootstrap.config;

import io.hourglass.core.engine.DeadLetters;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.Map;

/**
 * Dead-letter topics ({@code delay.message.dead-letter.*}): a message that goes DEAD is first copied to its topic's
 * dead-letter topic (see {@link DeadLetters}).
 *
 * @param enabled copy DEAD messages at all
 * @param suffix  the default dead-letter topic is the topic's name followed by this
 * @param topics  per topic: another dead-letter topic, or {@code off} for none
 */
@Validated
@ConfigurationProperties("delay.message.dead-letter")
public record DeadLetterProperties(
        @DefaultValue("true") boolean enabled,
        @NotBlank @DefaultValue(".DLQ") String suffix,
        Map<String, String> topics) {

    public DeadLetters toDeadLetters() {
        return new DeadLetters(enabled, suffix, topics == null ? Map.of() : topics);
    }
}
