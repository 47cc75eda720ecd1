package io.hourglass.admin;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;

import java.util.Map;

/**
 * A message as the admin API shows it. In search results the payload is cut to {@value #PREVIEW_CHARS} characters
 * ({@code payloadTruncated} says so); the detail carries all of it.
 */
public record MessageView(String id, String appKey, String topic, String key, String payload, boolean payloadTruncated,
                          Map<String, String> headers, long deliverAt, Long repeatIntervalMs, String state,
                          int attempts, String lastError, long createdAt, long updatedAt, int slot, long version,
                          Long expiresAt) {

    static final int PREVIEW_CHARS = 200;

    static MessageView of(DelayMessage m, boolean full) {
        boolean cut = !full && m.payload().length() > PREVIEW_CHARS;
        return new MessageView(MessageIds.format(m.id()), m.appKey(), m.topic(), m.key(),
                cut ? m.payload().substring(0, PREVIEW_CHARS) : m.payload(), cut, m.headers(), m.deliverAt(),
                m.repeatIntervalMs(), m.state().name(), m.attempts(), m.lastError(), m.createdAt(), m.updatedAt(),
                m.slot(), m.version(), m.expiresAt() == 0 ? null : m.expiresAt());
    }
}
