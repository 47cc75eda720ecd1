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

    /** The cause names hosts, URLs or driver text: the log has it, the client gets none of it. */
    @Override
    public String publicDetail() {
        return "The message store is unavailable; retry later (with the same Idempotency-Key)";
    }
}
