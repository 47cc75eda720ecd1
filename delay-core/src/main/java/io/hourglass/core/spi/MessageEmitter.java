package io.hourglass.core.spi;

import io.hourglass.core.model.DelayMessage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends fired messages to their target (Kafka by default).
 *
 * <p>A future completes normally only once the target has durably acknowledged the record (for Kafka:
 * {@code acks=all}); the engine marks a message DELIVERED only after that. A future that completes exceptionally
 * makes the engine retry with backoff. The emitter may fail the rest of a batch fast once the target is known to
 * be down. Records must carry the message id (header {@code x-delay-id}) so consumers can drop duplicates.
 *
 * <p>Thread-safe; {@link #emit} must not block for long (it is called on the firing threads).
 */
public interface MessageEmitter {

    /** Emits the batch; one future per message, in the same order. */
    List<CompletableFuture<Void>> emit(List<DelayMessage> messages, long now);

    /**
     * The failure of a message the emitter did not even try to send, because another message's failure stood for
     * it (the target looked down). The engine retries it later without counting an attempt: one tenant's broken
     * topic must not use up the attempts of the others' messages.
     */
    class NotAttemptedException extends RuntimeException {
        public NotAttemptedException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * The target as a whole is unreachable (no broker, the callback host down): not a failure of the message. The
     * engine retries it with backoff without counting an attempt, so an outage of any length sends nothing DEAD.
     */
    class TargetUnavailableException extends NotAttemptedException {
        public TargetUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The message itself can never be delivered (a callback answered 404, a record too large, authorization refused):
     * the engine marks it DEAD at once, with this message as the reason, whatever attempts are left.
     */
    class PermanentFailureException extends RuntimeException {
        public PermanentFailureException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * The target asked to be tried again no sooner than {@code retryAfterMillis} from now (HTTP {@code Retry-After}):
     * an attempt that counts, retried at the later of the backoff and this.
     */
    class RetryAfterException extends RuntimeException {
        private final long retryAfterMillis;

        public RetryAfterException(String message, long retryAfterMillis, Throwable cause) {
            super(message, cause, false, false);
            this.retryAfterMillis = Math.max(0, retryAfterMillis);
        }

        public long retryAfterMillis() {
            return retryAfterMillis;
        }
    }
}
