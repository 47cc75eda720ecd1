package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.error.DelayException;
import io.hourglass.core.error.EmitFailedException;
import io.hourglass.core.error.InvalidStateException;
import io.hourglass.core.error.MessageNotFoundException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.PeerClient;
import io.hourglass.core.spi.SubmitRateLimiter;
import io.hourglass.core.spi.PeerClient.PeerUnreachableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every exporter (REST, RPC) calls: submit, read, cancel and re-time messages of an authenticated app.
 * Authentication itself is {@link AppDirectory#authenticate}; this class checks topic rights and input.
 *
 * <p>Routing (cluster mode): get, cancel and reschedule of a message whose slot another live server owns are passed
 * to that owner through the {@link PeerClient}, so that its wheel and the store agree; when the owner cannot be
 * reached this server acts on the store itself (the store is the truth; the owner's next load honours the change).
 * {@link #local()} is the same service without routing: what an owner runs for a request routed to it.
 *
 * <p>Errors are {@link DelayException}s (thrown, or carried by the returned futures); nothing is stored when one
 * is raised by validation.
 */
public final class DelayService {

    private static final Logger log = LoggerFactory.getLogger(DelayService.class);

    private static final int RESCHEDULE_TRIES = 5;

    private final DelayEngine engine;
    private final MessageStore store;
    private final AppDirectory apps;
    private final DelayClock clock;
    private final MessageValidator validator;
    private final QuotaGuard quotas;
    /** Null: no routing (standalone, or this is {@link #local()}). */
    private final PeerClient peers;
    private final DelayService local;

    public DelayService(DelayEngine engine, MessageStore store, AppDirectory apps, DelayClock clock) {
        this(engine, store, apps, clock, null);
    }

    public DelayService(DelayEngine engine, MessageStore store, AppDirectory apps, DelayClock clock, PeerClient peers) {
        this(engine, store, apps, clock, peers, new LocalSubmitRateLimiter(clock));
    }

    /**
     * @param limiter the submit-rate quota's buckets: {@link LocalSubmitRateLimiter} per server, or a cluster-wide one
     */
    public DelayService(DelayEngine engine, MessageStore store, AppDirectory apps, DelayClock clock, PeerClient peers,
                        SubmitRateLimiter limiter) {
        this(engine, store, apps, clock, peers, new QuotaGuard(store, limiter, clock));
    }

    private DelayService(DelayEngine engine, MessageStore store, AppDirectory apps, DelayClock clock, PeerClient peers,
                         QuotaGuard quotas) {
        this.engine = engine;
        this.store = store;
        this.apps = apps;
        this.clock = clock;
        this.validator = new MessageValidator(engine.settings());
        this.peers = peers;
        this.quotas = quotas;
        this.local = peers == null ? this : new DelayService(engine, store, apps, clock, null, quotas);
        engine.holdMessagesOf(apps::isDisabled); // messages of a disabled app are not emitted
    }

    /** This service without routing: acts on this server's store and wheel whoever owns the message's slot. */
    public DelayService local() {
        return local;
    }

    /**
     * Schedules one message. The future completes after the store committed it (acknowledged means durable), or
     * exceptionally with a {@link DelayException}. With an idempotency key already used by this app, it completes
     * with the first message and {@code created == false}. A disabled app, or one over a quota, is refused before
     * anything is stored ({@code app-disabled}, {@code quota-exceeded}).
     */
    public CompletableFuture<SubmitResult> submit(String appKey, SubmitCommand cmd, String idempotencyKey) {
        try {
            validator.validateIdempotencyKey(idempotencyKey);
            quotas.check(apps.requireEnabled(appKey), List.of(cmd));
        } catch (DelayException e) {
            return CompletableFuture.failedFuture(e);
        }
        return submitValidKey(appKey, cmd, idempotencyKey);
    }

    private CompletableFuture<SubmitResult> submitValidKey(String appKey, SubmitCommand cmd, String idempotencyKey) {
        NewMessage message;
        try {
            long now = clock.now();
            MessageValidator.Times times = validator.validateSubmitTimes(cmd, now);
            apps.checkTopic(appKey, cmd.topic());
            message = new NewMessage(appKey, cmd.topic(), cmd.key(), cmd.payload(), cmd.headers(), times.deliverAt(),
                    cmd.repeatIntervalMs(), now, idempotencyKey, idempotencyKey == null ? null : RequestDigest.of(cmd),
                    times.expiresAt());
        } catch (DelayException e) {
            return CompletableFuture.failedFuture(e);
        }
        return engine.write(message);
    }

    /**
     * Schedules many messages; one future per command, in order. Each is validated and committed on its own
     * merit (a bad entry does not sink the others). With an idempotency key, entry {@code i} is stored under
     * {@link #batchEntryKey batchEntryKey(key, i)}, a namespace of its own that no single submit's key can reach.
     * Quotas hold for the batch as a whole: a disabled app, or a batch that would take the app over a quota, is
     * refused at once and nothing of it is stored.
     *
     * @throws io.hourglass.core.error.ValidationException   when the idempotency key is malformed: a fault of the
     *                                                        request, not of an entry, so nothing of it is stored
     * @throws io.hourglass.core.error.AppDisabledException   when the app is disabled
     * @throws io.hourglass.core.error.QuotaExceededException when the batch is over one of the app's quotas
     */
    public List<CompletableFuture<SubmitResult>> submitAll(String appKey, List<SubmitCommand> commands, String idempotencyKey) {
        validator.validateIdempotencyKey(idempotencyKey); // the client's key, one for the whole request; the entry suffix is ours
        quotas.check(apps.requireEnabled(appKey), commands);
        List<CompletableFuture<SubmitResult>> results = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            results.add(submitValidKey(appKey, commands.get(i), idempotencyKey == null ? null : batchEntryKey(idempotencyKey, i)));
        }
        return results;
    }

    /**
     * The stored idempotency key of entry {@code i} of a batch submitted with {@code key}: the key, U+001E (record
     * separator) and {@code i}. Client keys may not hold control characters, so a single submit never collides with
     * a batch entry (before, entry 0 of batch {@code K} and a single submit with key {@code K#0} were one message).
     */
    public static String batchEntryKey(String key, int i) {
        return key + BATCH_ENTRY_SEPARATOR + i;
    }

    private static final char BATCH_ENTRY_SEPARATOR = '\u001E';

    /** The app's message with this id. @throws MessageNotFoundException when unknown or another app's */
    public DelayMessage get(String appKey, String id) {
        return routed(id, owner -> peers.get(owner, appKey, id), () -> read(appKey, id));
    }

    private DelayMessage read(String appKey, String id) {
        long parsed = MessageIds.parse(id);
        if (parsed < 0) {
            throw new MessageNotFoundException(id);
        }
        Optional<DelayMessage> found = read(parsed);
        if (found.isEmpty() || !found.get().appKey().equals(appKey)) {
            throw new MessageNotFoundException(id);
        }
        return found.get();
    }

    /**
     * Cancels a SCHEDULED message: once this returns, it is never emitted (cancel wins). Cancelling a cancelled
     * message returns it again. @throws InvalidStateException when FIRING, DELIVERED or DEAD
     */
    public DelayMessage cancel(String appKey, String id) {
        return routed(id, owner -> peers.cancel(owner, appKey, id), () -> cancelHere(appKey, id));
    }

    private DelayMessage cancelHere(String appKey, String id) {
        DelayMessage current = read(appKey, id);
        if (current.state() == MessageState.SCHEDULED && guard(() -> store.cancel(current.id(), clock.now()))) {
            return read(current.id()).orElseThrow(() -> new MessageNotFoundException(id));
        }
        DelayMessage now = read(appKey, id);
        if (now.state() == MessageState.CANCELLED) {
            return now;
        }
        throw new InvalidStateException(id, now.state(), "cancelled");
    }

    /**
     * Moves the due time of a SCHEDULED message: once this returns, it fires at the new time and not the old one
     * (reschedule wins). @throws InvalidStateException when not SCHEDULED
     */
    public DelayMessage reschedule(String appKey, String id, RescheduleCommand cmd) {
        validator.checkOneRescheduleField(cmd); // a malformed request is a 400 whatever the message's state
        apps.requireEnabled(appKey);
        return routed(id, owner -> peers.reschedule(owner, appKey, id, cmd), () -> rescheduleHere(appKey, id, cmd));
    }

    private DelayMessage rescheduleHere(String appKey, String id, RescheduleCommand cmd) {
        for (int attempt = 0; attempt < RESCHEDULE_TRIES; attempt++) {
            DelayMessage current = read(appKey, id);
            if (current.state() != MessageState.SCHEDULED) {
                throw new InvalidStateException(id, current.state(), "rescheduled");
            }
            long now = clock.now();
            long newDeliverAt = validator.validateReschedule(cmd, current.deliverAt(), now);
            Optional<DelayMessage> updated = guard(() -> store.reschedule(current.id(), newDeliverAt, current.version(), now));
            if (updated.isPresent()) {
                engine.rescheduled(updated.get());
                return updated.get();
            }
        }
        DelayMessage latest = read(appKey, id);
        throw new InvalidStateException(id, latest.state(), "rescheduled (it kept changing concurrently)");
    }

    /**
     * Redrive: schedules a DEAD message again at the command's time (now by default), its attempts back to 0 and its
     * last error cleared. It then fires like any message (never early, at least once). A message that is not DEAD
     * is left as it is. @throws InvalidStateException when not DEAD
     */
    public DelayMessage redrive(String appKey, String id, RedriveCommand cmd) {
        validator.validateRedrive(cmd, clock.now()); // a malformed request is a 400 whatever the message's state
        apps.requireEnabled(appKey);
        return routed(id, owner -> peers.redrive(owner, appKey, id, cmd), () -> redriveHere(appKey, id, cmd));
    }

    private DelayMessage redriveHere(String appKey, String id, RedriveCommand cmd) {
        DelayMessage current = read(appKey, id);
        if (current.state() != MessageState.DEAD) {
            throw new InvalidStateException(id, current.state(), "redriven");
        }
        long now = clock.now();
        long deliverAt = validator.validateRedrive(cmd, now);
        Optional<DelayMessage> updated = guard(() -> store.redrive(current.id(), deliverAt, now));
        if (updated.isEmpty()) {
            throw new InvalidStateException(id, read(appKey, id).state(), "redriven");
        }
        engine.rescheduled(updated.get());
        return updated.get();
    }

    /**
     * Replay: emits a DELIVERED message of the app again, to its topic, with {@code x-delay-replay: true}, and
     * returns once the target acknowledged it. The message is not changed (it stays DELIVERED, and may be replayed
     * again) and no slot is involved, so this server emits it whoever owns the slot. Only DELIVERED messages still in
     * the store (within {@code delay.store.retention}) can be replayed.
     *
     * @throws InvalidStateException when not DELIVERED
     * @throws EmitFailedException   when the target did not acknowledge it within {@link #REPLAY_WAIT_MS}
     */
    public DelayMessage replay(String appKey, String id) {
        DelayMessage current = read(appKey, id);
        awaitReplay(replay(List.of(current)).get(0), id);
        return current;
    }

    /**
     * Replays many messages at once (the admin's replay job): one future per message, in order. A message that is
     * not DELIVERED, or whose app is disabled or no longer allowed its topic, fails its own future and is not emitted.
     */
    public List<CompletableFuture<Void>> replay(List<DelayMessage> messages) {
        List<CompletableFuture<Void>> out = new ArrayList<>(messages.size());
        List<DelayMessage> emit = new ArrayList<>(messages.size());
        List<Integer> at = new ArrayList<>(messages.size());
        for (DelayMessage m : messages) {
            out.add(null);
            try {
                if (m.state() != MessageState.DELIVERED) {
                    throw new InvalidStateException(m.idString(), m.state(), "replayed (only DELIVERED messages are)");
                }
                apps.requireEnabled(m.appKey());
                apps.checkTopic(m.appKey(), m.topic());
                emit.add(m);
                at.add(out.size() - 1);
            } catch (DelayException e) {
                out.set(out.size() - 1, CompletableFuture.failedFuture(e));
            }
        }
        if (!emit.isEmpty()) {
            List<CompletableFuture<Void>> acks = engine.replay(emit);
            for (int i = 0; i < acks.size(); i++) {
                out.set(at.get(i), acks.get(i));
            }
        }
        return out;
    }

    /** Longest wait for a replayed record's acknowledgement (the emitters bound their own futures well within it). */
    public static final long REPLAY_WAIT_MS = 60_000;

    /**
     * Waits for the acknowledgement of a replayed record. @throws EmitFailedException when the target refused it
     * (for good, or for now) or did not answer within {@link #REPLAY_WAIT_MS}; a {@link DelayException} as it is
     */
    public static void awaitReplay(CompletableFuture<Void> ack, String id) {
        try {
            ack.get(REPLAY_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (cause instanceof DelayException d) {
                throw d;
            }
            boolean permanent = cause instanceof io.hourglass.core.spi.MessageEmitter.PermanentFailureException;
            throw new EmitFailedException("Replay of " + id + " not acknowledged: " + cause, !permanent, cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new EmitFailedException("Replay of " + id + " not acknowledged within " + REPLAY_WAIT_MS + " ms",
                    true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmitFailedException("Interrupted waiting for the replay of " + id, true, e);
        }
    }

    /** Asks the owner of the id's slot when another live server owns it; acts here otherwise or when it is down. */
    private DelayMessage routed(String id, Function<String, DelayMessage> atOwner, Supplier<DelayMessage> here) {
        long parsed = MessageIds.parse(id);
        if (peers != null && parsed >= 0) {
            Optional<String> owner = engine.ownerAddress(MessageIds.slotOf(parsed));
            if (owner.isPresent()) {
                try {
                    DelayMessage answer = atOwner.apply(owner.get());
                    engine.metrics().routed("forwarded");
                    return answer;
                } catch (PeerUnreachableException e) {
                    engine.metrics().routed("local");
                    log.warn("Owner {} of message {} unreachable ({}); acting on the store here", owner.get(), id,
                            e.getMessage());
                }
            }
        }
        return here.get();
    }

    private Optional<DelayMessage> read(long id) {
        return guard(() -> store.get(id));
    }

    private static <T> T guard(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (DelayException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("Store failed: " + e.getMessage(), e);
        }
    }
}
