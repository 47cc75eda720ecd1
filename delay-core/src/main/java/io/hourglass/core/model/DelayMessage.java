package io.hourglass.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One stored delay message. Immutable; every state change produces a new row version in the store.
 *
 * @param id               server-made id; encodes the slot (see {@link MessageIds})
 * @param appKey           owning application
 * @param topic            target topic
 * @param key              optional business key: Kafka record key; may be {@code null}
 * @param payload          the body, emitted as UTF-8
 * @param headers          user headers, in the client's order, emitted after the {@code x-delay-*} headers; never {@code null}
 * @param deliverAt        due time, epoch ms UTC: the message is never emitted before it
 * @param fireAt           when the engine acts on it next: {@code deliverAt}, or later for a retry with backoff
 * @param repeatIntervalMs interval of a repeating message, or {@code null} for a one-shot message
 * @param state            current state
 * @param attempts         emit attempts so far (for the current round of a repeating message)
 * @param createdAt        epoch ms
 * @param updatedAt        epoch ms
 * @param slot             owning slot (also encoded in the id)
 * @param version          bumped by every change; used for optimistic checks
 * @param idempotencyKey   the submit's {@code Idempotency-Key}, or {@code null}
 * @param claimToken       token of the claim that moved it to FIRING, 0 when never claimed
 * @param claimedAt        epoch ms of that claim, 0 when never claimed
 * @param lastError        last emit error, or {@code null}
 * @param requestHash      digest of the submit request when it carried an idempotency key (a repeat of the key
 *                         with a different request is refused), or {@code null}
 * @param expiresAt        epoch ms after which the message is never emitted (it goes EXPIRED), or 0 for never
 */
public record DelayMessage(
        long id,
        String appKey,
        String topic,
        String key,
        String payload,
        Map<String, String> headers,
        long deliverAt,
        long fireAt,
        Long repeatIntervalMs,
        MessageState state,
        int attempts,
        long createdAt,
        long updatedAt,
        int slot,
        long version,
        String idempotencyKey,
        long claimToken,
        long claimedAt,
        String lastError,
        String requestHash,
        long expiresAt) {

    /** A message that never expires. */
    public DelayMessage(long id, String appKey, String topic, String key, String payload, Map<String, String> headers,
                        long deliverAt, long fireAt, Long repeatIntervalMs, MessageState state, int attempts,
                        long createdAt, long updatedAt, int slot, long version, String idempotencyKey,
                        long claimToken, long claimedAt, String lastError, String requestHash) {
        this(id, appKey, topic, key, payload, headers, deliverAt, fireAt, repeatIntervalMs, state, attempts, createdAt,
                updatedAt, slot, version, idempotencyKey, claimToken, claimedAt, lastError, requestHash, 0L);
    }

    /** A message without a request digest (no idempotency key, or stored before digests were kept). */
    public DelayMessage(long id, String appKey, String topic, String key, String payload, Map<String, String> headers,
                        long deliverAt, long fireAt, Long repeatIntervalMs, MessageState state, int attempts,
                        long createdAt, long updatedAt, int slot, long version, String idempotencyKey,
                        long claimToken, long claimedAt, String lastError) {
        this(id, appKey, topic, key, payload, headers, deliverAt, fireAt, repeatIntervalMs, state, attempts, createdAt,
                updatedAt, slot, version, idempotencyKey, claimToken, claimedAt, lastError, null);
    }

    public DelayMessage {
        Objects.requireNonNull(appKey, "appKey");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(state, "state");
        // keep the client's order (emitted as Kafka headers in that order); Map.copyOf would not
        headers = headers == null || headers.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A new SCHEDULED message as the receiving server creates it. */
    public static DelayMessage scheduled(long id, String appKey, String topic, String key, String payload,
                                         Map<String, String> headers, long deliverAt, Long repeatIntervalMs,
                                         long now, String idempotencyKey) {
        return scheduled(id, appKey, topic, key, payload, headers, deliverAt, repeatIntervalMs, now, idempotencyKey, null);
    }

    /** A new SCHEDULED message with the digest of its idempotent submit request. */
    public static DelayMessage scheduled(long id, String appKey, String topic, String key, String payload,
                                         Map<String, String> headers, long deliverAt, Long repeatIntervalMs,
                                         long now, String idempotencyKey, String requestHash) {
        return new DelayMessage(id, appKey, topic, key, payload, headers, deliverAt, deliverAt, repeatIntervalMs,
                MessageState.SCHEDULED, 0, now, now, MessageIds.slotOf(id), 0L, idempotencyKey, 0L, 0L, null,
                requestHash);
    }

    /** Whether this message may no longer be emitted at {@code now} (its TTL ran out). */
    public boolean isExpiredAt(long now) {
        return expiresAt > 0 && now >= expiresAt;
    }

    /** This message with another expiry (0: never). */
    public DelayMessage withExpiresAt(long newExpiresAt) {
        return new DelayMessage(id, appKey, topic, key, payload, headers, deliverAt, fireAt, repeatIntervalMs, state,
                attempts, createdAt, updatedAt, slot, version, idempotencyKey, claimToken, claimedAt, lastError,
                requestHash, newExpiresAt);
    }

    /** This message with other headers (in their order). */
    public DelayMessage withHeaders(Map<String, String> newHeaders) {
        return new DelayMessage(id, appKey, topic, key, payload, newHeaders, deliverAt, fireAt, repeatIntervalMs, state,
                attempts, createdAt, updatedAt, slot, version, idempotencyKey, claimToken, claimedAt, lastError,
                requestHash, expiresAt);
    }

    public boolean isRepeating() {
        return repeatIntervalMs != null && repeatIntervalMs > 0;
    }

    public String idString() {
        return MessageIds.format(id);
    }
}
