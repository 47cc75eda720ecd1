package io.hourglass.exporter.http;

/**
 * The answer envelope of the original delay-server endpoints, kept so that its clients can switch over:
 * {@code {"errorCode":"000000","errorMsg":"success","content":{...}}} on success; on failure a non-zero
 * {@code errorCode} (the HTTP status followed by {@code 001}, see {@link ProblemType#seedErrorCode()}), the reason in
 * {@code errorMsg} and {@code content: null}, with the matching HTTP status.
 *
 * @param errorCode {@code 000000} on success
 * @param errorMsg  {@code success}, or what went wrong
 * @param content   the result, or {@code null} on failure
 */
public record SeedEnvelope(String errorCode, String errorMsg, Object content) {

    static final String SUCCESS_CODE = "000000";

    static SeedEnvelope success(Object content) {
        return new SeedEnvelope(SUCCESS_CODE, "success", content);
    }

    static SeedEnvelope failure(int status, String reason) {
        return new SeedEnvelope(ProblemType.seedErrorCode(status), reason, null);
    }

    /**
     * What both original endpoints return on success.
     *
     * @param messageId id of the scheduled or cancelled message
     */
    public record MessageIdContent(String messageId) {
    }
}
