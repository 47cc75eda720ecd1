package io.hourglass.core.engine;

import io.hourglass.core.model.DelayMessage;

import java.util.Map;

/**
 * A validated submit waiting for its group commit. It gets its slot and id only there, one slot for the whole
 * commit, so that the rows of one commit share their index pages (see {@link GroupCommitter}).
 */
record NewMessage(String appKey, String topic, String key, String payload, Map<String, String> headers,
                  long deliverAt, Long repeatIntervalMs, long createdAt, String idempotencyKey, String requestHash,
                  long expiresAt) {

    DelayMessage withId(long id) {
        return DelayMessage.scheduled(id, appKey, topic, key, payload, headers, deliverAt, repeatIntervalMs, createdAt,
                idempotencyKey, requestHash).withExpiresAt(expiresAt);
    }
}
