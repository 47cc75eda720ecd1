package io.hourglass.core.error;

/**
 * Root of every error Hourglass reports to a client. Each subclass has a stable {@link #code()} that exporters
 * turn into a problem {@code type} (HTTP) or a status (RPC), in one place each.
 */
public abstract class DelayException extends RuntimeException {

    protected DelayException(String message) {
        super(message);
    }

    protected DelayException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Stable, machine-readable code such as {@code validation-failed}. */
    public abstract String code();
}
