package io.hourglass.core.spi;

import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.model.PendingCount;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable home of every message: the source of truth. The engine keeps only (fireAt, id) pairs in memory.
 *
 * <p><b>Threading:</b> implementations are called from many threads at once and must be thread-safe.
 *
 * <p><b>Conditional changes:</b> every change of state is a conditional update on the current state (and, where
 * stated, on the claim token). Losing a race is not an error: it shows as a smaller count or an absent result.
 * That is what makes "cancel wins" and "reschedule wins" hold while the same message sits in the wheel.
 *
 * <p><b>What callers do not get:</b> no method here waits for a message to become due; nothing is cached; a
 * failure of the backing server surfaces as {@link io.hourglass.core.error.StoreUnavailableException}, and the
 * caller decides whether to retry.
 *
 * <p>Every implementation must pass the contract suite in {@code delay-store-tck}.
 */
public interface MessageStore {

    /**
     * Inserts new SCHEDULED messages in one transaction: all of them are durable when this returns, or none is
     * (exception). Acknowledging a client only after this returns is guarantee 1 (acknowledged means durable).
     *
     * @throws io.hourglass.core.error.DuplicateMessageException when an id or (appKey, idempotencyKey) exists
     */
    void insert(List<DelayMessage> messages);

    /** The message with this id, in any state. */
    Optional<DelayMessage> get(long id);

    /** Messages of {@code appKey} whose idempotency key is one of {@code keys}. */
    List<DelayMessage> findByIdempotencyKeys(String appKey, Collection<String> keys);

    /**
     * One page of SCHEDULED messages of {@code slot} with {@code fromFireAt <= fireAt < toFireAt}, ordered by
     * (fireAt, id), starting strictly after the keyset cursor ({@code afterFireAt}, {@code afterId}).
     * Pass {@code afterFireAt = Long.MIN_VALUE} for the first page.
     */
    List<DueEntry> scanScheduled(int slot, long fromFireAt, long toFireAt, long afterFireAt, long afterId, int limit);

    /**
     * Claims due messages for firing: {@code SCHEDULED -> FIRING} for each id whose state is still SCHEDULED and
     * whose {@code fireAt <= now}, setting the claim token, {@code claimedAt = now}, {@code attempts + 1} and
     * {@code version + 1}. Two claimers racing for one message: exactly one gets it.
     *
     * @return the claimed messages, complete with payload and headers (only those this call claimed)
     */
    List<DelayMessage> claim(Collection<Long> ids, long now, long claimToken);

    /** {@code FIRING -> DELIVERED} for the ids still held by {@code claimToken}. Returns the rows changed. */
    int markDelivered(Collection<Long> ids, long claimToken, long now);

    /**
     * {@code FIRING -> SCHEDULED} with a new due time, for the next round of repeating messages still held by
     * {@code claimToken}; attempts restart at 0. Returns the rows changed.
     */
    int rearm(List<Rearm> rearms, long claimToken, long now);

    /**
     * {@code FIRING -> SCHEDULED} with {@code fireAt} moved later (backoff) and the error kept, for the ids still
     * held by {@code claimToken}; {@code deliverAt} is unchanged. Returns the rows changed.
     */
    int retryLater(List<Retry> retries, long claimToken, long now);

    /**
     * Like {@link #retryLater}, but the claim does not count as an attempt ({@code attempts - 1}): the message was
     * not tried (its app is disabled, say). {@code FIRING -> SCHEDULED} with {@code fireAt} and the error kept, for
     * ids still held by {@code claimToken}; {@code deliverAt} is unchanged. Returns the rows changed.
     */
    int postpone(List<Retry> retries, long claimToken, long now);

    /** {@code FIRING -> DEAD} with the error kept, for ids still held by {@code claimToken}. Returns the rows changed. */
    int markDead(Collection<Long> ids, long claimToken, String error, long now);

    /** {@code FIRING -> EXPIRED} for the rows still held by {@code claimToken}: they were claimed past their TTL. */
    int markExpired(Collection<Long> ids, long claimToken, String reason, long now);

    /**
     * {@code SCHEDULED -> CANCELLED}. Returns {@code true} when this call cancelled it; {@code false} when the id
     * is unknown or the message is no longer SCHEDULED (read it to tell which).
     */
    boolean cancel(long id, long now);

    /**
     * Moves the due time of a SCHEDULED message ({@code deliverAt = fireAt = newDeliverAt}, attempts unchanged).
     *
     * @param expectedVersion when {@code >= 0}, the change happens only if the version still matches
     * @return the updated message, or empty when unknown, not SCHEDULED, or the version moved on
     */
    Optional<DelayMessage> reschedule(long id, long newDeliverAt, long expectedVersion, long now);

    /**
     * Redrive: {@code DEAD -> SCHEDULED}, due again at {@code deliverAt} ({@code deliverAt = fireAt}), its attempts
     * back to 0 and its last error cleared, so it gets the whole retry schedule again.
     *
     * @return the updated message, or empty when unknown or not DEAD
     */
    Optional<DelayMessage> redrive(long id, long deliverAt, long now);

    /**
     * Hands stuck claims back: {@code FIRING -> SCHEDULED} ({@code fireAt = now}) for messages of {@code slot}
     * claimed before {@code claimedBefore}, at most {@code limit}. Used by the sweeper to recover claims of a
     * crashed or partitioned server.
     *
     * @return the entries released
     */
    List<DueEntry> releaseStuck(int slot, long claimedBefore, long now, int limit);

    /**
     * Deletes finished messages of {@code slot}: at most {@code limit} messages in a terminal state (DELIVERED,
     * CANCELLED or DEAD) whose {@code updatedAt < updatedBefore}. SCHEDULED and FIRING messages are never touched,
     * however old. Which of the matching messages go first when there are more than {@code limit} is unspecified:
     * call again until the result is smaller than {@code limit}. Used by the archive job.
     *
     * <p>Deleting a message frees its idempotency key: a later submit with the same (appKey, idempotencyKey) is
     * accepted as a new message. The retention is therefore also the window in which a client may safely retry.
     *
     * @return how many messages this call deleted (0 when {@code limit <= 0})
     */
    int purgeFinished(int slot, long updatedBefore, int limit);

    /**
     * Deletes one message if, and only if, it is DEAD: an operator's purge of a dead letter, at any age. It goes as
     * the archive job's {@link #purgeFinished} deletes a message, with what the store keeps beside it (its
     * idempotency key is free again afterwards; its index rows go too). A message that leaves DEAD meanwhile (a
     * redrive that won the race) is not deleted.
     *
     * @return {@code true} when this call deleted it; {@code false} when the id is unknown or the message is not DEAD
     */
    boolean purgeDead(long id);

    /** Count of messages per state (all slots). States with no message may be absent. */
    Map<MessageState, Long> countByState();

    /** Count of SCHEDULED messages of one slot (its backlog). */
    long countScheduled(int slot);

    /**
     * SCHEDULED messages of one app (all slots), for its {@code maxPending} quota. May be a little stale on stores
     * whose counts are hints (Cassandra); callers cache it for a second or so anyway.
     */
    long countScheduledOfApp(String appKey);

    /**
     * SCHEDULED messages by app, topic and due horizon at {@code now} (see {@link PendingCount}), for the admin's
     * overview. One pass over the SCHEDULED messages: callers cache the answer (seconds), it is not for every request.
     */
    List<PendingCount> pendingCounts(long now);

    /**
     * The admin's message search: messages in {@code query.state()} matching every other non-null field of the
     * query, one page at a time. Each store documents which filters its indexes serve and the order of the results
     * (MySQL/H2: by {@code deliverAt, id}); the cursor is opaque, made by the store, and only valid for the same
     * query. Never loads more than {@code limit} messages (plus what the store must skip to filter).
     *
     * @param cursor {@code null} for the first page, else {@link MessagePage#nextCursor()} of the previous page
     * @param limit  page size, 1..1000
     */
    MessagePage search(MessageQuery query, String cursor, int limit);

    /**
     * What the admin searches for. {@code state} is required (one state at a time: the console shows one tab per
     * state, and every store's index starts with it or with the app and it); the rest are optional.
     *
     * @param appKey  exact app key, or null
     * @param topic   exact topic, or null
     * @param key     exact business key, or null
     * @param state   required
     * @param dueFrom inclusive lower bound of {@code deliverAt}, or null
     * @param dueTo   exclusive upper bound of {@code deliverAt}, or null
     */
    record MessageQuery(String appKey, String topic, String key, MessageState state,
                        Long dueFrom, Long dueTo) {
        public MessageQuery {
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * One page of a search.
     *
     * @param messages   the messages, in the store's order
     * @param nextCursor where the next page starts, or {@code null} when this was the last one
     */
    record MessagePage(List<DelayMessage> messages, String nextCursor) {
        public MessagePage {
            messages = List.copyOf(messages);
        }
    }

    /** The next round of a repeating message. */
    record Rearm(long id, long deliverAt) {
    }

    /** A failed emit to try again at {@code fireAt}. */
    record Retry(long id, long fireAt, String error) {
    }
}
