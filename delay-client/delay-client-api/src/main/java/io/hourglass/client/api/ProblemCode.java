package io.hourglass.client.api;

/**
 * The problem codes of the Hourglass API (the tail of a problem {@code type} URI) that both transports report,
 * each with the HTTP status the REST API answers and the gRPC status code the RPC API answers. The one table of
 * that correspondence: the Dubbo exporter sets the gRPC code from it and an RPC client falls back on it when an
 * error carries no problem details.
 *
 * <p>gRPC codes are the numbers of the gRPC specification ({@code google.rpc.Code}), so this class needs no gRPC
 * library.
 */
public enum ProblemCode {

    VALIDATION_FAILED("validation-failed", 400, "Invalid request", GrpcCode.INVALID_ARGUMENT),
    /** Too large is a property of the request, not a quota: fix it rather than retry (gRPC's RESOURCE_EXHAUSTED would invite a retry). */
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large", GrpcCode.INVALID_ARGUMENT),
    BAD_REQUEST("bad-request", 400, "Bad request", GrpcCode.INVALID_ARGUMENT),
    /** The request body is over the server's size limit (REST only: a limit of the transport, not of a message). */
    REQUEST_TOO_LARGE("request-too-large", 413, "Request too large", GrpcCode.INVALID_ARGUMENT),
    /** The request body did not arrive in time (REST only); the request was not processed. */
    REQUEST_TIMEOUT("request-timeout", 408, "Request body not received in time", GrpcCode.DEADLINE_EXCEEDED),
    /** The idempotency key was used before with a different request; nothing was stored. Use a new key. */
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency key reused with a different request",
            GrpcCode.FAILED_PRECONDITION),
    /** Too many failed authentications from this client address; wait {@code Retry-After} seconds. */
    AUTH_THROTTLED("auth-throttled", 429, "Too many failed authentications", GrpcCode.RESOURCE_EXHAUSTED),
    UNAUTHENTICATED("unauthenticated", 401, "Unauthenticated", GrpcCode.UNAUTHENTICATED),
    TOPIC_FORBIDDEN("topic-forbidden", 403, "Topic not allowed", GrpcCode.PERMISSION_DENIED),
    /** An operator disabled the app: it may read and cancel its messages, not submit or re-time them. */
    APP_DISABLED("app-disabled", 403, "App disabled", GrpcCode.PERMISSION_DENIED),
    /** Over one of the app's quotas; nothing was stored. Retry after {@code Retry-After} (rate, pending). */
    QUOTA_EXCEEDED("quota-exceeded", 429, "Quota exceeded", GrpcCode.RESOURCE_EXHAUSTED),
    MESSAGE_NOT_FOUND("message-not-found", 404, "Message not found", GrpcCode.NOT_FOUND),
    INVALID_STATE("invalid-state", 409, "Message state does not allow this change", GrpcCode.FAILED_PRECONDITION),
    DUPLICATE("duplicate", 409, "Duplicate message", GrpcCode.ALREADY_EXISTS),
    STORE_UNAVAILABLE("store-unavailable", 503, "Store unavailable", GrpcCode.UNAVAILABLE),
    /** A replayed record was not acknowledged by its target (unreachable or slow): retry later. */
    TARGET_UNAVAILABLE("target-unavailable", 503, "Delivery target unavailable", GrpcCode.UNAVAILABLE),
    /** A replayed record was refused for good by its target (too large for the broker now, authorization, 4xx). */
    EMIT_REFUSED("emit-refused", 502, "Delivery target refused the record", GrpcCode.ABORTED),
    /** UNAVAILABLE rather than RESOURCE_EXHAUSTED: it is the code gRPC clients retry with backoff, as REST clients retry a 503. */
    OVERLOADED("overloaded", 503, "Overloaded", GrpcCode.UNAVAILABLE),
    INTERNAL_ERROR("internal-error", 500, "Internal error", GrpcCode.INTERNAL);

    private final String code;
    private final int httpStatus;
    private final String title;
    private final int grpcCode;

    ProblemCode(String code, int httpStatus, String title, int grpcCode) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.title = title;
        this.grpcCode = grpcCode;
    }

    /** The stable code, such as {@code invalid-state}. */
    public String code() {
        return code;
    }

    /** The problem {@code type} URI: {@code https://hourglass.dev/problems/{code}}. */
    public String type() {
        return Problem.TYPE_PREFIX + code;
    }

    /** The HTTP status of this error in the REST API. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Short summary of the type, for humans. */
    public String title() {
        return title;
    }

    /** The gRPC status code of this error in the RPC API. */
    public int grpcCode() {
        return grpcCode;
    }

    /** The entry of a code; an unknown code is an {@link #INTERNAL_ERROR} (a server newer than this table or a bug). */
    public static ProblemCode of(String code) {
        for (ProblemCode c : values()) {
            if (c.code.equals(code)) {
                return c;
            }
        }
        return INTERNAL_ERROR;
    }

    /**
     * The HTTP status that a gRPC status code stands for, for an error that carries no problem details (one raised
     * by the RPC framework or a proxy rather than by Hourglass). Follows the mapping above, and the usual one of
     * gRPC gateways for the codes Hourglass itself never sends.
     */
    public static int httpStatusOfGrpcCode(int grpcCode) {
        return switch (grpcCode) {
            case GrpcCode.INVALID_ARGUMENT, GrpcCode.OUT_OF_RANGE -> 400;
            case GrpcCode.UNAUTHENTICATED -> 401;
            case GrpcCode.PERMISSION_DENIED -> 403;
            case GrpcCode.NOT_FOUND -> 404;
            case GrpcCode.FAILED_PRECONDITION, GrpcCode.ALREADY_EXISTS, GrpcCode.ABORTED -> 409;
            case GrpcCode.RESOURCE_EXHAUSTED -> 429;
            case GrpcCode.UNIMPLEMENTED -> 501;
            case GrpcCode.UNAVAILABLE -> 503;
            case GrpcCode.DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }

    /** The gRPC status codes this API uses, by their numbers in the gRPC specification. */
    public static final class GrpcCode {
        public static final int OK = 0;
        public static final int INVALID_ARGUMENT = 3;
        public static final int DEADLINE_EXCEEDED = 4;
        public static final int NOT_FOUND = 5;
        public static final int ALREADY_EXISTS = 6;
        public static final int PERMISSION_DENIED = 7;
        public static final int RESOURCE_EXHAUSTED = 8;
        public static final int FAILED_PRECONDITION = 9;
        public static final int ABORTED = 10;
        public static final int OUT_OF_RANGE = 11;
        public static final int UNIMPLEMENTED = 12;
        public static final int INTERNAL = 13;
        public static final int UNAVAILABLE = 14;
        public static final int UNAUTHENTICATED = 16;

        private GrpcCode() {
        }
    }
}
