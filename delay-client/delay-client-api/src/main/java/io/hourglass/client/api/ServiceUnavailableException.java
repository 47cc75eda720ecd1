package io.hourglass.client.api;

/**
 * The server could not serve the call, for now: it answered {@code 503} ({@code store-unavailable},
 * {@code overloaded}), or it could not be reached at all (connection refused or reset, timeout; then
 * {@link #status()} is {@link #NO_RESPONSE} and the cause is the I/O error).
 *
 * <p>Retryable: a client retries this itself, with backoff, before it throws it. When it is thrown, the outcome of
 * a submit is unknown (the server may have stored it and lost the answer); repeat the submit with the same
 * idempotency key to learn its id without storing it twice.
 */
public class ServiceUnavailableException extends DelayClientException {

    private static final long serialVersionUID = 1L;

    /** From the server's {@code 503} answer. */
    public ServiceUnavailableException(Problem problem) {
        super(problem);
    }

    /** No answer from the server at all. */
    public ServiceUnavailableException(String detail, Throwable cause) {
        super(NO_RESPONSE, null, detail, null, cause);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
