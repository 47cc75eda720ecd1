package io.hourglass.core.engine;

import java.util.Map;

/**
 * A request to schedule one message, as an exporter received it (not yet validated).
 * Exactly one of {@code delayMs} and {@code deliverAt} must be set.
 */
public record SubmitCommand(
        String topic,
        String key,
        String payload,
        Map<String, String> headers,
        Long delayMs,
        Long deliverAt,
        Long repeatIntervalMs) {
}
