package io.hourglass.client.api;

import java.util.List;

/**
 * The root of every error a {@link DelayClient} reports. It carries what the server said, as an RFC 9457 problem:
 * the status (HTTP status, or the HTTP status an RPC status stands for), the stable problem {@link #type()},
 * the {@link #detail()} and, for bad input, the {@link #fieldErrors()}.
 *
 * <p>Branch on the subclass or on {@link #code()}, never on the message text. Statuses without a subclass of
 * their own (405, 406, 415, 500, ...) arrive as this class itself; they point at a bug on one side or the other
 * and are not worth a retry. {@link #from(int, Problem)} is the one place that maps a status to a subclass, for
 * every transport.
 */
public class DelayClientException extends RuntimeException {

    /** The status of an error that never got an answer from the server (connection refused, timeout). */
    public static final int NO_RESPONSE = 0;

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String detail;
    private final List<Problem.FieldError> fieldErrors;

    /**
     * @param status      the HTTP status, or {@link #NO_RESPONSE}
     * @param type        the problem type URI, or {@code null} when the server sent none
     * @param detail      what went wrong, for humans
     * @param fieldErrors the invalid fields, empty when not about input
     * @param cause       the underlying failure, or {@code null}
     */
    public DelayClientException(int status, String type, String detail, List<Problem.FieldError> fieldErrors,
                                Throwable cause) {
        super(message(status, type, detail, fieldErrors), cause);
        this.status = status;
        this.type = type;
        this.detail = detail;
        this.fieldErrors = fieldErrors == null ? List.of() : List.copyOf(fieldErrors);
    }

    /** An error answered by the server as a problem. */
    public DelayClientException(Problem problem) {
        this(problem.status(), problem.type(), problem.detail(), problem.errors(), null);
    }

    /**
     * Maps an error answer to the matching exception: 400 and 413 to {@link ValidationFailedException}, 401 to
     * {@link AuthenticationFailedException}, 403 to {@link ForbiddenException}, 404 to
     * {@link MessageNotFoundException}, 409 to {@link InvalidStateException}, 503 to
     * {@link ServiceUnavailableException}, anything else to a plain {@code DelayClientException}.
     *
     * @param status  the status of the answer (wins over {@code problem.status()} when they differ)
     * @param problem the body of the answer; a problem with only a detail when the body was not a problem
     * @return the exception to throw
     */
    public static DelayClientException from(int status, Problem problem) {
        Problem p = problem.status() == status ? problem
                : new Problem(problem.type(), problem.title(), status, problem.detail(), problem.instance(), problem.errors());
        return switch (status) {
            case 400, 413 -> new ValidationFailedException(p);
            case 401 -> new AuthenticationFailedException(p);
            case 403 -> new ForbiddenException(p);
            case 404 -> new MessageNotFoundException(p);
            case 409 -> new InvalidStateException(p);
            case 503 -> new ServiceUnavailableException(p);
            default -> new DelayClientException(p);
        };
    }

    /** The HTTP status of the answer, or {@link #NO_RESPONSE} when there was none. */
    public int status() {
        return status;
    }

    /** The problem type URI, such as {@code https://hourglass.dev/problems/invalid-state}; {@code null} if none. */
    public String type() {
        return type;
    }

    /** The code at the end of {@link #type()}, such as {@code invalid-state}; {@code null} for none or a foreign type. */
    public String code() {
        return type != null && type.startsWith(Problem.TYPE_PREFIX) ? type.substring(Problem.TYPE_PREFIX.length()) : null;
    }

    /** What went wrong, for humans; may be {@code null}. */
    public String detail() {
        return detail;
    }

    /** The invalid input fields and why; empty when the error is not about input. */
    public List<Problem.FieldError> fieldErrors() {
        return fieldErrors;
    }

    /**
     * Whether repeating the same call (with the same idempotency key, for a submit) may succeed. Only
     * {@link ServiceUnavailableException} is retryable; a client has already retried it before throwing.
     */
    public boolean isRetryable() {
        return false;
    }

    private static String message(int status, String type, String detail, List<Problem.FieldError> errors) {
        StringBuilder b = new StringBuilder();
        b.append(status == NO_RESPONSE ? "no response" : String.valueOf(status));
        if (type != null) {
            b.append(' ').append(type);
        }
        if (detail != null) {
            b.append(": ").append(detail);
        }
        if (errors != null && !errors.isEmpty()) {
            b.append(' ').append(errors);
        }
        return b.toString();
    }
}
