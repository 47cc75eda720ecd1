package io.hourglass.client.api;

/**
 * No such message for this app ({@code 404}, {@code message-not-found}): the id is unknown, belongs to another
 * app, or the message was archived.
 */
public class MessageNotFoundException extends DelayClientException {

    private static final long serialVersionUID = 1L;

    /** From the server's problem answer. */
    public MessageNotFoundException(Problem problem) {
        super(problem);
    }
}
