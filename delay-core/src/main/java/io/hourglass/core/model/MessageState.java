package io.hourglass.core.model;

/**
 * Life cycle of a delay message.
 *
 * <pre>
 * SCHEDULED -> FIRING -> DELIVERED
 * SCHEDULED -> CANCELLED
 * FIRING    -> SCHEDULED   (retry with backoff after an emit failure, or the next round of a repeating message)
 * FIRING    -> DEAD        (attempt limit reached)
 * </pre>
 */
public enum MessageState {
    SCHEDULED,
    FIRING,
    DELIVERED,
    CANCELLED,
    DEAD;

    /** A terminal state never changes again (an operator may still redeliver a DEAD message). */
    public boolean isTerminal() {
        return this == DELIVERED || this == CANCELLED || this == DEAD;
    }
}
