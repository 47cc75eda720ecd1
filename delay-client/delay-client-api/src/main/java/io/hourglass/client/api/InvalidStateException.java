package io.hourglass.client.api;

/**
 * The message's state does not allow the change ({@code 409}, {@code invalid-state}): a cancel of a message that is
 * already {@code FIRING}, {@code DELIVERED} or {@code DEAD}, or a re-time of one that is no longer {@code SCHEDULED}.
 * Read the message ({@link DelayClient#get(String)}) to see its state.
 */
public class InvalidStateException extends DelayClientException {

    private static final long serialVersionUID = 1L;

    /** From the server's problem answer. */
    public InvalidStateException(Problem problem) {
        super(problem);
    }
}
