package io.hourglass.core.error;

/**
 * An idempotency key the app already used came with a different request (another body, topic or due time):
 * nothing was stored. A retry must repeat the first request exactly; a new request needs a new key.
 */
public class IdempotencyKeyReusedException extends DelayException {

    public IdempotencyKeyReusedException(String key) {
        super("Idempotency-Key '" + key + "' was used before with a different request");
    }

    @Override
    public String code() {
        return "idempotency-key-reused";
    }
}
