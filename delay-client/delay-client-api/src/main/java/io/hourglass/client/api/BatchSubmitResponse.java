package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * The answer to a batch submit: one {@link BatchItem} per input entry, in input order.
 *
 * @param results the outcome of each entry
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchSubmitResponse(List<BatchItem> results) {
}
