package io.hourglass.core.engine;

/**
 * Schedules a DEAD message again. At most one field may be set: an absolute {@code deliverAt} or a {@code delayMs}
 * from now; neither means due now.
 */
public record RedriveCommand(Long deliverAt, Long delayMs) {

    /** Due now. */
    public static final RedriveCommand NOW = new RedriveCommand(null, null);
}
