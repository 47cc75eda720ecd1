package io.hourglass.store.tck;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageState;

import java.util.Map;

/**
 * A mutable copy of a {@link DelayMessage}, used by the contract suite to state the row it expects after a change
 * ("the same message, but FIRING with this token") without spelling out 19 constructor arguments.
 */
final class MessageCopy {

    private final DelayMessage origin;
    private long deliverAt;
    private long fireAt;
    private MessageState state;
    private int attempts;
    private long updatedAt;
    private long version;
    private long claimToken;
    private long claimedAt;
    private String lastError;

    private MessageCopy(DelayMessage m) {
        this.origin = m;
        this.deliverAt = m.deliverAt();
        this.fireAt = m.fireAt();
        this.state = m.state();
        this.attempts = m.attempts();
        this.updatedAt = m.updatedAt();
        this.version = m.version();
        this.claimToken = m.claimToken();
        this.claimedAt = m.claimedAt();
        this.lastError = m.lastError();
    }

    static MessageCopy of(DelayMessage m) {
        return new MessageCopy(m);
    }

    /** The message as a successful claim leaves it. */
    static DelayMessage claimed(DelayMessage m, long token, long now) {
        return of(m).state(MessageState.FIRING).claimToken(token).claimedAt(now)
                .attempts(m.attempts() + 1).version(m.version() + 1).updatedAt(now).build();
    }

    MessageCopy deliverAt(long v) {
        deliverAt = v;
        return this;
    }

    MessageCopy fireAt(long v) {
        fireAt = v;
        return this;
    }

    MessageCopy state(MessageState v) {
        state = v;
        return this;
    }

    MessageCopy attempts(int v) {
        attempts = v;
        return this;
    }

    MessageCopy updatedAt(long v) {
        updatedAt = v;
        return this;
    }

    MessageCopy version(long v) {
        version = v;
        return this;
    }

    MessageCopy claimToken(long v) {
        claimToken = v;
        return this;
    }

    MessageCopy claimedAt(long v) {
        claimedAt = v;
        return this;
    }

    MessageCopy lastError(String v) {
        lastError = v;
        return this;
    }

    DelayMessage build() {
        Map<String, String> headers = origin.headers();
        return new DelayMessage(origin.id(), origin.appKey(), origin.topic(), origin.key(), origin.payload(), headers,
                deliverAt, fireAt, origin.repeatIntervalMs(), state, attempts, origin.createdAt(), updatedAt,
                origin.slot(), version, origin.idempotencyKey(), claimToken, claimedAt, lastError, origin.requestHash());
    }
}
