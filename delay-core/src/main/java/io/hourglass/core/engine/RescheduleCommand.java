package io.hourglass.core.engine;

/**
 * A change of due time. Exactly one field must be set: an absolute {@code deliverAt}, a {@code delayMs} from now,
 * or an {@code extendMs} added to the current due time (may be negative, but the result may not be in the past).
 */
public record RescheduleCommand(Long deliverAt, Long delayMs, Long extendMs) {
}
