package io.hourglass.client.api;

/**
 * The request was refused for its content ({@code 400}: {@code validation-failed}, {@code malformed-json},
 * {@code bad-request}; or {@code 413}: {@code payload-too-large}). {@link #fieldErrors()} names each invalid field.
 * Nothing was stored; repeating the same request fails the same way.
 */
public class ValidationFailedException extends DelayClientException {

    private static final long serialVersionUID = 1L;

    /** From the server's problem answer. */
    public ValidationFailedException(Problem problem) {
        super(problem);
    }
}
