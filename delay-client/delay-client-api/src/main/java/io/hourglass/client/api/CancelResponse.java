package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The answer to a cancel ({@code DELETE /api/v1/messages/{id}}). Once received, the message is never emitted.
 *
 * @param id    message id
 * @param state {@code CANCELLED}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CancelResponse(String id, String state) {
}
