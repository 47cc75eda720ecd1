package io.hourglass.core.model;

/**
 * Life cycle of a delay message.
 *
 * <pre>
 * SCHEDULED -> FIRING -> DELIVERED
 * SCHEDULED -> CANCELLED
 * FIRING    -> SCHEDULED   (retry with backoff after an emit failure, or the next round of a repeating message)
 * FIRING    -> DEAD        (attempt limit reached, or refused for good)
 * FIRING    -> EXPIRED     (claimed at or after its expiresAt: never emitted)
 * DEAD      -> SCHEDULED   (redrive)
 * </pre>
 */
public enum MessageState {
    SCHEDULED,
    FIRING,
    DELIVERED,
    CANCELLED,
    DEAD,
    EXPIRED;

    /** A terminal state never changes again (an operator may still redrive a DEAD message). */
    public boolean isTerminal() {
        return this == DELIVERED || this == CANCELLED || this == DEAD || this == EXPIRED;
    }
}
