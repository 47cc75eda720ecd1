package io.hourglass.exporter.http;

import io.hourglass.client.api.Problem;
import io.hourglass.client.api.ProblemCode;
import io.hourglass.core.error.DelayException;
import org.springframework.http.HttpStatus;

import java.net.URI;

/**
 * Every kind of error the HTTP API reports: its stable code (the tail of the problem {@code type} URI), its HTTP
 * status and its title. The first group mirrors {@link DelayException#code()} of the core; the second covers what
 * only HTTP can get wrong (a body that is not JSON, a wrong method or media type, an unknown path).
 *
 * <p>The original delay-server endpoints report the same errors in their envelope, with {@link #seedErrorCode()}.
 */
public enum ProblemType {

    // the codes both APIs report: code, status and title from the one table of delay-client-api
    VALIDATION_FAILED(ProblemCode.VALIDATION_FAILED),
    PAYLOAD_TOO_LARGE(ProblemCode.PAYLOAD_TOO_LARGE),
    MESSAGE_NOT_FOUND(ProblemCode.MESSAGE_NOT_FOUND),
    INVALID_STATE(ProblemCode.INVALID_STATE),
    DUPLICATE(ProblemCode.DUPLICATE),
    UNAUTHENTICATED(ProblemCode.UNAUTHENTICATED),
    TOPIC_FORBIDDEN(ProblemCode.TOPIC_FORBIDDEN),
    APP_DISABLED(ProblemCode.APP_DISABLED),
    QUOTA_EXCEEDED(ProblemCode.QUOTA_EXCEEDED),
    STORE_UNAVAILABLE(ProblemCode.STORE_UNAVAILABLE),
    OVERLOADED(ProblemCode.OVERLOADED),
    TARGET_UNAVAILABLE(ProblemCode.TARGET_UNAVAILABLE),
    EMIT_REFUSED(ProblemCode.EMIT_REFUSED),
    IDEMPOTENCY_KEY_REUSED(ProblemCode.IDEMPOTENCY_KEY_REUSED),
    REQUEST_TOO_LARGE(ProblemCode.REQUEST_TOO_LARGE),
    REQUEST_TIMEOUT(ProblemCode.REQUEST_TIMEOUT),
    AUTH_THROTTLED(ProblemCode.AUTH_THROTTLED),

    MALFORMED_JSON("malformed-json", HttpStatus.BAD_REQUEST, "Malformed JSON"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    BAD_REQUEST(ProblemCode.BAD_REQUEST),
    INTERNAL_ERROR(ProblemCode.INTERNAL_ERROR);

    private final String code;
    private final HttpStatus status;
    private final String title;
    private final URI type;

    ProblemType(ProblemCode shared) {
        this(shared.code(), HttpStatus.valueOf(shared.httpStatus()), shared.title());
    }

    ProblemType(String code, HttpStatus status, String title) {
        this.code = code;
        this.status = status;
        this.title = title;
        this.type = URI.create(Problem.TYPE_PREFIX + code);
    }

    /** Stable code, such as {@code validation-failed}. */
    public String code() {
        return code;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** {@code https://hourglass.dev/problems/{code}}. */
    public URI type() {
        return type;
    }

    /** The envelope code of the original delay-server endpoints: the status followed by {@code 001}. */
    public String seedErrorCode() {
        return seedErrorCode(status.value());
    }

    static String seedErrorCode(int status) {
        return status + "001";
    }

    /** The type of a core error, by its {@link DelayException#code()}; an unknown code is an internal error. */
    public static ProblemType of(DelayException e) {
        for (ProblemType t : values()) {
            if (t.code.equals(e.code())) {
                return t;
            }
        }
        return INTERNAL_ERROR;
    }

    /** The type for a bare status (an error raised outside the API code, such as by the servlet container). */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHENTICATED;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 408 -> REQUEST_TIMEOUT;
            case 413 -> REQUEST_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> OVERLOADED;
            default -> status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL_ERROR;
        };
    }
}
