package io.hourglass.core.error;

/**
 * An error answered by the server that owns a message, passed on unchanged to the client: same {@link #code()} and
 * message. (A {@code validation-failed} answer is rebuilt as a {@link ValidationException}, field errors included:
 * see {@link #from}.)
 */
public class PeerException extends DelayException {

    private final String code;

    public PeerException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The exception to raise for an owner's error answer. */
    public static DelayException from(String code, String message,
                                      java.util.List<ValidationException.FieldError> errors) {
        if ("validation-failed".equals(code) && errors != null && !errors.isEmpty()) {
            return new ValidationException(errors);
        }
        return new PeerException(code, message);
    }

    @Override
    public String code() {
        return code;
    }
}
