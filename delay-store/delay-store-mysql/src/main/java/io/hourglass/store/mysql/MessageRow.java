package io.hourglass.store.mysql;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;

/**
 * One row of {@code delay_message} as MyBatis reads and writes it: flat, with the headers as JSON text and the state
 * as its name. MyBatis sets the fields directly (no setters needed).
 */
final class MessageRow {

    long id;
    String appKey;
    String topic;
    String msgKey;
    String payload;
    String headers;
    long deliverAt;
    long fireAt;
    Long repeatIntervalMs;
    String state;
    int attempts;
    long createdAt;
    long updatedAt;
    int slot;
    long version;
    String idemKey;
    long claimToken;
    long claimedAt;
    String lastError;
    String requestHash;
    long expiresAt;

    static MessageRow of(DelayMessage m) {
        MessageRow r = new MessageRow();
        r.id = m.id();
        r.appKey = m.appKey();
        r.topic = m.topic();
        r.msgKey = m.key();
        r.payload = m.payload();
        r.headers = HeadersJson.encode(m.headers());
        r.deliverAt = m.deliverAt();
        r.fireAt = m.fireAt();
        r.repeatIntervalMs = m.repeatIntervalMs();
        r.state = m.state().name();
        r.attempts = m.attempts();
        r.createdAt = m.createdAt();
        r.updatedAt = m.updatedAt();
        r.slot = m.slot();
        r.version = m.version();
        r.idemKey = m.idempotencyKey();
        r.claimToken = m.claimToken();
        r.claimedAt = m.claimedAt();
        r.lastError = m.lastError();
        r.requestHash = m.requestHash();
        r.expiresAt = m.expiresAt();
        return r;
    }

    DelayMessage toMessage() {
        return new DelayMessage(id, appKey, topic, msgKey, payload, HeadersJson.decode(headers), deliverAt, fireAt,
                repeatIntervalMs, MessageState.valueOf(state), attempts, createdAt, updatedAt, slot, version, idemKey,
                claimToken, claimedAt, lastError, requestHash, expiresAt);
    }
}
