package io.hourglass.core.error;

/** The store could not be reached or failed; the request may be retried (with the same Idempotency-Key). */
public class StoreUnavailableException extends DelayException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "store-unavailable";
    }
}
