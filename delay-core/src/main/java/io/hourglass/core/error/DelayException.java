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

    /**
     * What a client is told (a problem's {@code detail}): the message, unless it may carry what a client must not
     * see (hosts, JDBC URLs, driver text), which stays in the server log.
     */
    public String publicDetail() {
        return getMessage();
    }
}
