package io.hourglass.message.http;

/**
 * A callback attempt that failed and counts as an attempt: the receiver answered 408, 429, a 5xx (without a usable
 * {@code Retry-After}) or another unexpected status, timed out, or broke the connection after the request was sent.
 * The engine retries the message with backoff until its attempts are used up.
 */
public class CallbackFailedException extends RuntimeException {

    private final int status;

    /**
     * @param status the HTTP status, or 0 when there was no answer (timeout, broken connection)
     */
    public CallbackFailedException(String message, int status, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    /** The HTTP status of the answer, 0 when there was none. */
    public int status() {
        return status;
    }
}
