package io.hourglass.core.error;

/** An insert hit an existing id or (appKey, idempotencyKey). */
public class DuplicateMessageException extends DelayException {

    public DuplicateMessageException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "duplicate";
    }
}
