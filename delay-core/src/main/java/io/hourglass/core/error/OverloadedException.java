package io.hourglass.core.error;

/** The server sheds load (write queue full, or shutting down). Retry later with the same Idempotency-Key. */
public class OverloadedException extends DelayException {

    public OverloadedException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "overloaded";
    }
}
