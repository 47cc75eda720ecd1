package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A change of due time ({@code PATCH /api/v1/messages/{id}}) of a SCHEDULED message. Exactly one member must be set.
 *
 * @param deliverAt new absolute due time, epoch ms UTC
 * @param delayMs   new due time this many ms from the server's now
 * @param extendMs  added to the current due time (may be negative; the result may not lie in the past)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RescheduleRequest(Long deliverAt, Long delayMs, Long extendMs) {

    /** Due at {@code deliverAt} (epoch ms). */
    public static RescheduleRequest toDeliverAt(long deliverAt) {
        return new RescheduleRequest(deliverAt, null, null);
    }

    /** Due {@code delayMs} from now. */
    public static RescheduleRequest afterDelay(long delayMs) {
        return new RescheduleRequest(null, delayMs, null);
    }

    /** Due {@code extendMs} later than it is now due. */
    public static RescheduleRequest extendBy(long extendMs) {
        return new RescheduleRequest(null, null, extendMs);
    }
}
