package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The outcome of one batch entry: either the stored message ({@code {"id","deliverAt","state"}}) or the reason it
 * was refused ({@code {"error": {problem}}}). Absent members are left out of the JSON, so a success has no
 * {@code error} key and a failure has nothing but {@code error}.
 *
 * @param id        message id, or {@code null} for a failure
 * @param deliverAt due time (epoch ms UTC), or {@code null} for a failure
 * @param state     message state, or {@code null} for a failure
 * @param error     why the entry was refused, or {@code null} for a success; nothing was stored for it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchItem(String id, Long deliverAt, String state, Problem error) {

    /** A stored entry. */
    public static BatchItem created(String id, long deliverAt, String state) {
        return new BatchItem(id, deliverAt, state, null);
    }

    /** A refused entry. */
    public static BatchItem failed(Problem error) {
        return new BatchItem(null, null, null, error);
    }

    /** Whether the entry was refused. */
    public boolean hasError() {
        return error != null;
    }
}
