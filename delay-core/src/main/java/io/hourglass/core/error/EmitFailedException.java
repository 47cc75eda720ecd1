package io.hourglass.core.error;

/**
 * A message could not be emitted on request (a replay): its target did not acknowledge it. {@code retryable}: the
 * target is unreachable or slow for now ({@code target-unavailable}, 503); otherwise the target refused the record
 * for good ({@code emit-refused}, 502: a record too large for the broker now, authorization, a callback's 4xx).
 */
public class EmitFailedException extends DelayException {

    private final boolean retryable;

    public EmitFailedException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    @Override
    public String code() {
        return retryable ? "target-unavailable" : "emit-refused";
    }

    /** The cause may name brokers or callback hosts: the log has it, the client gets none of it. */
    @Override
    public String publicDetail() {
        return retryable ? "The message's target did not acknowledge it in time or is unavailable; retry later"
                : "The message's target refused it; see the server log";
    }
}
