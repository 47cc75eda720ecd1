package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A redrive ({@code POST /api/v1/messages/{id}/redrive}) of a DEAD message: it is scheduled again, its attempts back
 * to 0. At most one member may be set; none (or no body) means due now.
 *
 * @param deliverAt new absolute due time, epoch ms UTC
 * @param delayMs   due this many ms from the server's now
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RedriveRequest(Long deliverAt, Long delayMs) {

    /** Due now. */
    public static RedriveRequest now() {
        return new RedriveRequest(null, null);
    }

    /** Due at {@code deliverAt} (epoch ms). */
    public static RedriveRequest toDeliverAt(long deliverAt) {
        return new RedriveRequest(deliverAt, null);
    }

    /** Due {@code delayMs} from now. */
    public static RedriveRequest afterDelay(long delayMs) {
        return new RedriveRequest(null, delayMs);
    }
}
