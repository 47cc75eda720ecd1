package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The answer to a change of due time. Once received, the message fires at {@code deliverAt} and not before.
 *
 * @param id        message id
 * @param deliverAt the new due time, epoch ms UTC
 * @param state     {@code SCHEDULED}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RescheduleResponse(String id, long deliverAt, String state) {
}
