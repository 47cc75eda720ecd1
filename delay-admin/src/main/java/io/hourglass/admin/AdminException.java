package io.hourglass.admin;

/**
 * An error of the admin API, answered as RFC 9457 problem+json with {@code type}
 * {@code https://hourglass.dev/problems/{code}} (see {@code AdminProblemHandler}).
 */
public class AdminException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;

    public AdminException(int status, String code, String message) {
        this(status, code, null, message);
    }

    public AdminException(int status, String code, String field, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }

    public static AdminException notFound(String what, String id) {
        return new AdminException(404, "not-found", what + " '" + id + "' does not exist");
    }

    public static AdminException invalid(String field, String reason) {
        return new AdminException(400, "validation-failed", field, field + ": " + reason);
    }

    public static AdminException conflict(String reason) {
        return new AdminException(409, "conflict", reason);
    }
}
