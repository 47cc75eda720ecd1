package io.hourglass.core.error;

/**
 * A quota of the app would be exceeded by this request; nothing was stored. HTTP 429 with {@code Retry-After}, gRPC
 * {@code RESOURCE_EXHAUSTED}.
 */
public class QuotaExceededException extends DelayException {

    private final String quota;
    private final long retryAfterSeconds;

    /**
     * @param quota             which quota: {@code submits-per-second}, {@code max-pending}, ...
     * @param retryAfterSeconds when trying again may succeed, at least 1
     */
    public QuotaExceededException(String quota, String message, long retryAfterSeconds) {
        super(message);
        this.quota = quota;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public String quota() {
        return quota;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public String code() {
        return "quota-exceeded";
    }
}
