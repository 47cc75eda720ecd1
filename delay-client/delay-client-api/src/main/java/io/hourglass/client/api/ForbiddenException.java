package io.hourglass.client.api;

/**
 * The app may not use the topic ({@code 403}, {@code topic-forbidden}): register the topic for the app first.
 */
public class ForbiddenException extends DelayClientException {

    private static final long serialVersionUID = 1L;

    /** From the server's problem answer. */
    public ForbiddenException(Problem problem) {
        super(problem);
    }
}
