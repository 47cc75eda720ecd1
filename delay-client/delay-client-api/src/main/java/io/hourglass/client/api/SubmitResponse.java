package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The answer to a submit: the stored message (201), or, for a repeated {@code Idempotency-Key}, the message the
 * first submit created (200).
 *
 * @param id        opaque message id
 * @param deliverAt due time, epoch ms UTC (the server's reading of {@code delayMs} or {@code deliverAt})
 * @param state     {@code SCHEDULED} for a new message; the current state for an idempotent repeat
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SubmitResponse(String id, long deliverAt, String state) {
}
