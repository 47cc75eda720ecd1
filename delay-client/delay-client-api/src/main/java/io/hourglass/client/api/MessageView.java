package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A message as the app that owns it may read it ({@code GET /api/v1/messages/{id}}). Every member is always present
 * in the JSON, {@code null} when unset.
 *
 * @param id               opaque message id
 * @param topic            target topic
 * @param key              business key, or {@code null}
 * @param payload          the body
 * @param headers          user headers (empty when none)
 * @param deliverAt        due time, epoch ms UTC (for a repeating message: the due time of the next round)
 * @param state            {@code SCHEDULED}, {@code FIRING}, {@code DELIVERED}, {@code CANCELLED}, {@code DEAD} or
 *                         {@code EXPIRED}
 * @param attempts         emit attempts so far (of the current round, for a repeating message)
 * @param repeatIntervalMs interval of a repeating message, or {@code null} for a one-shot message
 * @param createdAt        epoch ms UTC
 * @param updatedAt        epoch ms UTC of the last change
 * @param expiresAt        epoch ms UTC after which it is never emitted, or {@code null} when it does not expire
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record MessageView(
        String id,
        String topic,
        String key,
        String payload,
        Map<String, String> headers,
        long deliverAt,
        String state,
        int attempts,
        Long repeatIntervalMs,
        long createdAt,
        long updatedAt,
        Long expiresAt) {
}
