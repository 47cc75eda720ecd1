package io.hourglass.core.engine;

import java.util.Map;

/**
 * A request to schedule one message, as an exporter received it (not yet validated).
 * Exactly one of {@code delayMs} and {@code deliverAt} must be set; at most one of {@code ttlMs} (from now) and
 * {@code expiresAt} (absolute): a message not emitted by then never is, it goes EXPIRED.
 */
public record SubmitCommand(
        String topic,
        String key,
        String payload,
        Map<String, String> headers,
        Long delayMs,
        Long deliverAt,
        Long repeatIntervalMs,
        Long ttlMs,
        Long expiresAt) {

    /** A message without expiry. */
    public SubmitCommand(String topic, String key, String payload, Map<String, String> headers, Long delayMs,
                         Long deliverAt, Long repeatIntervalMs) {
        this(topic, key, payload, headers, delayMs, deliverAt, repeatIntervalMs, null, null);
    }
}
