package io.hourglass.core.error;

import java.util.List;

/** The request is malformed or out of range. Nothing was stored. */
public class ValidationException extends DelayException {

    private final List<FieldError> errors;

    public ValidationException(List<FieldError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    public ValidationException(String field, String reason) {
        this(List.of(new FieldError(field, reason)));
    }

    public List<FieldError> errors() {
        return errors;
    }

    @Override
    public String code() {
        return "validation-failed";
    }

    private static String summary(List<FieldError> errors) {
        StringBuilder sb = new StringBuilder("Invalid request: ");
        for (int i = 0; i < errors.size(); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(errors.get(i).field()).append(' ').append(errors.get(i).reason());
        }
        return sb.toString();
    }

    /** One invalid field and why. */
    public record FieldError(String field, String reason) {
    }
}
