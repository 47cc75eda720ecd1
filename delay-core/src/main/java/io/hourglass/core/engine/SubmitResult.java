package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;

/**
 * Outcome of a submit.
 *
 * @param message the stored message
 * @param created {@code false} when an earlier submit with the same idempotency key already created it
 */
public record SubmitResult(DelayMessage message, boolean created) {
}
