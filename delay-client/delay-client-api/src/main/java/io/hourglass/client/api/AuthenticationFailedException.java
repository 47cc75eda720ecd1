package io.hourglass.client.api;

/**
 * The app key or secret is missing or wrong ({@code 401}, {@code unauthenticated}). Check the client's
 * credentials; a retry does not help.
 */
public class AuthenticationFailedException extends DelayClientException {

    private static final long serialVersionUID = 1L;

    /** From the server's problem answer. */
    public AuthenticationFailedException(Problem problem) {
        super(problem);
    }
}
