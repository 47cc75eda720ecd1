package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a message that goes DEAD is copied: its dead-letter topic, by default {@code <topic>.DLQ}, another name or
 * none per topic. The copy goes through the engine's emitter like any message (so a dead-letter topic with an HTTP
 * callback target is delivered by callback), with the message's id, due time, key, payload and headers, plus
 * {@value #REASON}, {@value #ATTEMPTS}, {@value #LAST_ERROR} and {@value #ORIGINAL_TOPIC}.
 *
 * <p>The copy is sent before the message is marked DEAD (see {@code Firer}): when the dead-letter topic is down or
 * the copy fails in a way that may pass (a missing topic looks like that to Kafka while the cluster is unreachable),
 * the message waits (no attempt spent) and is tried again, so a DEAD message has its dead-letter record. When the
 * dead-letter topic refuses the copy for good (too large, invalid name), the message goes DEAD anyway and its last
 * error says so.
 *
 * @param enabled whether messages are copied at all
 * @param suffix  appended to the topic for the default dead-letter topic
 * @param topics  per topic: the dead-letter topic's name, or {@value #OFF} for none
 */
public record DeadLetters(boolean enabled, String suffix, Map<String, String> topics) {

    public static final String REASON = "x-delay-dead-reason";
    public static final String ATTEMPTS = "x-delay-attempts";
    public static final String LAST_ERROR = "x-delay-last-error";
    public static final String ORIGINAL_TOPIC = "x-delay-original-topic";
    /** The per-topic value that turns dead-lettering off for that topic. */
    public static final String OFF = "off";
    /** Nothing is copied (the engine's default until configured). */
    public static final DeadLetters NONE = new DeadLetters(false, ".DLQ", Map.of());
    /** Longest last-error text put in a header. */
    static final int MAX_ERROR_CHARS = 1024;

    public DeadLetters {
        Objects.requireNonNull(suffix, "suffix");
        if (enabled && suffix.isEmpty()) {
            throw new IllegalArgumentException("the dead-letter suffix must not be empty");
        }
        topics = topics == null ? Map.of() : Map.copyOf(topics);
    }

    /** The dead-letter topic of {@code topic}, or {@code null} when it has none (off, or a dead-letter topic itself). */
    public String topicOf(String topic) {
        if (!enabled || topic.endsWith(suffix)) {
            return null;
        }
        String configured = topics.get(topic);
        if (configured == null) {
            return topic + suffix;
        }
        return configured.isBlank() || OFF.equalsIgnoreCase(configured) || configured.equals(topic) ? null : configured;
    }

    /** The record emitted to {@code deadLetterTopic} for {@code m}, which is going DEAD for {@code reason}. */
    DelayMessage copyOf(DelayMessage m, String deadLetterTopic, String reason, String lastError) {
        Map<String, String> headers = new LinkedHashMap<>(m.headers());
        headers.keySet().removeIf(name -> name.equalsIgnoreCase(REASON) || name.equalsIgnoreCase(ATTEMPTS)
                || name.equalsIgnoreCase(LAST_ERROR) || name.equalsIgnoreCase(ORIGINAL_TOPIC));
        headers.put(REASON, reason);
        headers.put(ATTEMPTS, Integer.toString(m.attempts()));
        if (lastError != null) {
            headers.put(LAST_ERROR, lastError.length() > MAX_ERROR_CHARS ? lastError.substring(0, MAX_ERROR_CHARS) : lastError);
        }
        headers.put(ORIGINAL_TOPIC, m.topic());
        return new DelayMessage(m.id(), m.appKey(), deadLetterTopic, m.key(), m.payload(), headers, m.deliverAt(),
                m.fireAt(), null, m.state(), m.attempts(), m.createdAt(), m.updatedAt(), m.slot(), m.version(),
                m.idempotencyKey(), m.claimToken(), m.claimedAt(), lastError, m.requestHash());
    }
}
