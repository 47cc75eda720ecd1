package io.hourglass.client.api;

import java.util.List;
import java.util.UUID;

/**
 * The Java SDK of Hourglass: schedule a message for later, read it, cancel it or move its due time.
 *
 * <p>One interface, two transports: {@code HttpDelayClient} (REST) and {@code DubboDelayClient} (the RPC API over
 * Dubbo Triple); every implementation behaves the same, which a shared contract test suite checks. Implementations are thread-safe and meant to be shared: build one per
 * server (or load balancer) and app, and {@link #close()} it when the application stops.
 *
 * <p>Errors are unchecked and typed, all rooted at {@link DelayClientException}:
 * {@link ValidationFailedException}, {@link AuthenticationFailedException}, {@link ForbiddenException},
 * {@link MessageNotFoundException}, {@link InvalidStateException} and {@link ServiceUnavailableException}.
 * A call that throws changed nothing on the server, except a {@link ServiceUnavailableException} of a call
 * whose answer was lost: repeat it with the same idempotency key and the server hands back the first result.
 *
 * <p>What a caller does <em>not</em> get: exactly-once emission (delivery to Kafka is at least once; drop
 * duplicates by the {@code x-delay-id} header), nor any ordering between messages due at the same millisecond.
 */
public interface DelayClient extends AutoCloseable {

    /**
     * Schedules one message under a generated idempotency key (a random UUID) that every retry of the call reuses,
     * so a retry never stores the message twice.
     *
     * @param request the message and exactly one of {@code delayMs} / {@code deliverAt}
     * @return the stored message's id, due time and state {@code SCHEDULED}
     * @throws ValidationFailedException    bad input, or a payload over the size limit; nothing was stored
     * @throws ForbiddenException           the topic is not registered for the app
     * @throws ServiceUnavailableException  the server could not be reached or was unavailable, after the retries
     */
    default SubmitResponse submit(SubmitRequest request) {
        return submit(request, generatedKey());
    }

    /**
     * Schedules one message under a caller-chosen idempotency key: a repeat of the same key (by the same app)
     * returns the message the first call created, with the same id, and stores nothing new, even when the body
     * differs. Use it to make a submit safe to repeat across restarts of the calling process.
     *
     * @param request        the message
     * @param idempotencyKey 1 to 128 characters, unique per app for as long as the message is kept
     * @return the stored (or previously stored) message
     */
    SubmitResponse submit(SubmitRequest request, String idempotencyKey);

    /**
     * Schedules 1 to 1000 messages in one call. Each entry succeeds or fails on its own: a refused entry has
     * {@link BatchItem#error()} set and the others are still stored. An empty or oversized batch fails as a whole
     * with {@link ValidationFailedException}.
     *
     * @param requests the messages, in order
     * @return one result per request, in the same order
     */
    default BatchSubmitResponse submitBatch(List<SubmitRequest> requests) {
        return submitBatch(requests, generatedKey());
    }

    /**
     * Schedules a batch under a caller-chosen idempotency key; entry {@code i} is stored under its own key derived
     * from {@code key} and {@code i} (a namespace no single submit's key reaches), so a repeated batch creates nothing
     * twice. Repeating the key with different entries is refused ({@code 422 idempotency-key-reused}) per entry.
     *
     * @param requests       the messages, in order
     * @param idempotencyKey 1 to 128 characters
     * @return one result per request, in the same order
     */
    BatchSubmitResponse submitBatch(List<SubmitRequest> requests, String idempotencyKey);

    /**
     * Reads a message of the calling app.
     *
     * @param id the message id
     * @return the message and its current state
     * @throws MessageNotFoundException unknown id, or a message of another app
     */
    MessageView get(String id);

    /**
     * Cancels a scheduled message. Once this returned, the message is never emitted. Cancelling a cancelled
     * message succeeds again.
     *
     * @param id the message id
     * @return the id and state {@code CANCELLED}
     * @throws MessageNotFoundException unknown id
     * @throws InvalidStateException    the message is already {@code FIRING}, {@code DELIVERED} or {@code DEAD}
     */
    CancelResponse cancel(String id);

    /**
     * Moves the due time of a scheduled message. Once this returned, the message fires at the new time and not
     * at the old one.
     *
     * @param id      the message id
     * @param request exactly one of a new {@code deliverAt}, a new {@code delayMs} from now, or {@code extendMs}
     * @return the id, the new due time and state {@code SCHEDULED}
     * @throws ValidationFailedException none or several fields set, or a due time out of range
     * @throws MessageNotFoundException  unknown id
     * @throws InvalidStateException     the message is no longer {@code SCHEDULED}
     */
    RescheduleResponse reschedule(String id, RescheduleRequest request);

    /**
     * Redrives a DEAD message: schedules it again (due now, or at the request's time) with its attempts back to 0;
     * it then fires like any message. Redriving a message that is no longer DEAD (say, redriven already) is an
     * {@link InvalidStateException}: read it to see where it stands. Retried only when the server surely did not
     * act on it.
     *
     * @param id      the message id
     * @param request due now ({@link RedriveRequest#now()}), at a time, or after a delay
     * @return the message as it is now: {@code SCHEDULED}, attempts 0
     * @throws ValidationFailedException both fields set, or a due time out of range
     * @throws MessageNotFoundException  unknown id
     * @throws InvalidStateException     the message is not {@code DEAD}
     * @throws ForbiddenException        the app is disabled
     */
    MessageView redrive(String id, RedriveRequest request);

    /** {@link #redrive(String, RedriveRequest)}, due now. */
    default MessageView redrive(String id) {
        return redrive(id, RedriveRequest.now());
    }

    /**
     * Replays a DELIVERED message: emits it again to its topic, with the same id and the header
     * {@code x-delay-replay: true}, and returns once the target acknowledged it. The message stays DELIVERED; each
     * call emits it once more. Only messages still kept by the server (its retention) can be replayed.
     *
     * @param id the message id
     * @return the message (unchanged)
     * @throws MessageNotFoundException    unknown id, or purged
     * @throws InvalidStateException       the message is not {@code DELIVERED}
     * @throws ServiceUnavailableException the target did not acknowledge the record ({@code target-unavailable})
     * @throws DelayClientException        the target refused the record for good ({@code emit-refused}, 502)
     */
    MessageView replay(String id);

    /** Releases the client's resources; calls made afterwards fail with {@link IllegalStateException}. */
    @Override
    void close();

    private static String generatedKey() {
        return UUID.randomUUID().toString();
    }
}
