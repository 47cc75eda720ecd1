package io.hourglass.client.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A request to schedule one message ({@code POST /api/v1/messages}, or one entry of a batch).
 * Exactly one of {@code delayMs} and {@code deliverAt} must be set.
 *
 * @param topic            target topic; must be registered for the calling app
 * @param key              optional business key (the Kafka record key); may be {@code null}
 * @param payload          the body to emit, a string of at most {@code delay.core.max-payload-bytes} UTF-8 bytes
 * @param headers          optional headers emitted with the message; names must not start with {@code x-delay-}
 * @param delayMs          due in this many milliseconds from the server's now (0 = as soon as possible)
 * @param deliverAt        due at this absolute time, epoch ms UTC
 * @param repeatIntervalMs optional: after each delivery the message fires again this many ms later, until cancelled
 * @param ttlMs            optional: not emitted if not emitted within this many ms of the submit (then EXPIRED)
 * @param expiresAt        optional, instead of {@code ttlMs}: not emitted at or after this time, epoch ms UTC
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SubmitRequest(
        String topic,
        String key,
        String payload,
        Map<String, String> headers,
        Long delayMs,
        Long deliverAt,
        Long repeatIntervalMs,
        Long ttlMs,
        Long expiresAt) {

    /** A message without expiry. */
    public SubmitRequest(String topic, String key, String payload, Map<String, String> headers, Long delayMs,
                         Long deliverAt, Long repeatIntervalMs) {
        this(topic, key, payload, headers, delayMs, deliverAt, repeatIntervalMs, null, null);
    }

    /** This request with a TTL: the message is never emitted later than {@code ttlMs} after the submit. */
    public SubmitRequest withTtlMs(long ttlMs) {
        return new SubmitRequest(topic, key, payload, headers, delayMs, deliverAt, repeatIntervalMs, ttlMs, null);
    }

    /** A one-shot message due {@code delayMs} from now. */
    public static SubmitRequest delayed(String topic, String payload, long delayMs) {
        return new SubmitRequest(topic, null, payload, null, delayMs, null, null);
    }

    /** A one-shot message due at {@code deliverAt} (epoch ms). */
    public static SubmitRequest at(String topic, String payload, long deliverAt) {
        return new SubmitRequest(topic, null, payload, null, null, deliverAt, null);
    }
}
