package io.hourglass.core.spi;

import io.hourglass.core.engine.RedriveCommand;
import io.hourglass.core.engine.RescheduleCommand;
import io.hourglass.core.model.DelayMessage;

/**
 * Calls another server of the cluster: get, cancel and reschedule of a message are routed to the owner of its slot,
 * so that the owner's wheel and the store agree (a reschedule into the owner's loaded window is filed in its wheel at
 * once instead of waiting for the sweeper).
 *
 * <p>The owner answers as if the client had called it (same results, same {@link io.hourglass.core.error.DelayException}
 * codes, raised as {@link io.hourglass.core.error.PeerException}). When the owner cannot be reached the call throws
 * {@link PeerUnreachableException} and the receiving server acts on the store itself: the store is the truth, and
 * the owner's next load honours the change.
 *
 * <p>The app was authenticated by the receiving server; implementations carry its key to the owner over an
 * authenticated internal channel.
 */
public interface PeerClient {

    DelayMessage get(String address, String appKey, String id);

    DelayMessage cancel(String address, String appKey, String id);

    DelayMessage reschedule(String address, String appKey, String id, RescheduleCommand command);

    DelayMessage redrive(String address, String appKey, String id, RedriveCommand command);

    /** The owner did not answer (connection refused, timeout, no such server): act on the store locally. */
    class PeerUnreachableException extends RuntimeException {
        public PeerUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
