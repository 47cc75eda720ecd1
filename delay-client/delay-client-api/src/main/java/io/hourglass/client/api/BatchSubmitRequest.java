package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * Many submits in one call ({@code POST /api/v1/messages/batch}): 1 to 1000 entries, each handled on its own merit.
 *
 * @param messages the messages to schedule, in order
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchSubmitRequest(List<SubmitRequest> messages) {
}
