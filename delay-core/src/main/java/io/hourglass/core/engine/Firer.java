package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.wheel.WheelTimer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Fires due messages in batches: claim in the store (conditional: still SCHEDULED and due), emit, then record the
 * outcome — DELIVERED, the next round of a repeating message, a retry with exponential backoff, or DEAD.
 *
 * <p>Pipelined: a firing thread claims and emits a batch, then hands the wait for the broker's acknowledgements
 * and the outcome writes to a recorder thread and takes the next batch at once, so due messages do not queue
 * behind another batch's acks and commit. A semaphore bounds the batches in flight (claimed, outcome unwritten).
 *
 * <p>The claim is what makes "cancel wins", "reschedule wins" and "never early" hold for entries already in the
 * wheel: a cancelled, rescheduled or already-fired message simply is not claimed. A message is marked DELIVERED only
 * after the emitter's future completed, i.e. after the broker acknowledged it. If the outcome cannot be written
 * (store down), the message stays FIRING and the sweeper re-fires it after {@code claim-timeout}: at least once.
 */
final class Firer {

    private static final Logger log = LoggerFactory.getLogger(Firer.class);
    private static final long STORE_RETRY_MILLIS = 1_000;
    /** How often the messages of a disabled app are looked at again. */
    static final long HELD_RECHECK_MILLIS = 30_000;

    private final MessageStore store;
    private final MessageEmitter emitter;
    private final WheelTimer timer;
    private final Coordinator coordinator;
    private final Preloader preloader;
    private final EngineSettings settings;
    private final DelayClock clock;
    private final DelayMetrics metrics;
    private final Executor recorders;
    private final Semaphore inFlight;
    private final Supplier<Predicate<String>> appDisabled;
    private final Supplier<DeadLetters> deadLetters;
    private final long[] polledFireAts;
    private final long[] polledIds;

    Firer(MessageStore store, MessageEmitter emitter, WheelTimer timer, Coordinator coordinator, Preloader preloader,
          EngineSettings settings, DelayClock clock, DelayMetrics metrics, Executor recorders, Semaphore inFlight,
          Supplier<Predicate<String>> appDisabled, Supplier<DeadLetters> deadLetters) {
        this.appDisabled = appDisabled;
        this.deadLetters = deadLetters;
        this.store = store;
        this.emitter = emitter;
        this.timer = timer;
        this.coordinator = coordinator;
        this.preloader = preloader;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.recorders = recorders;
        this.inFlight = inFlight;
        this.polledFireAts = new long[settings.firing().batchSize()];
        this.polledIds = new long[settings.firing().batchSize()];
    }

    /**
     * One step of the firing worker ({@link io.hourglass.core.concurrent.Loops#worker}): waits up to
     * {@code waitMillis} for a free batch permit and for due entries, then claims and emits one batch.
     *
     * @return {@code true} if it took due entries from the wheel
     */
    boolean step(long waitMillis) throws InterruptedException {
        try {
            if (!inFlight.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                return false;
            }
            int n = 0;
            boolean handedOff = false;
            try {
                n = timer.poll(polledFireAts, polledIds, polledIds.length, waitMillis);
                preloader.polled(polledIds, n);
                handedOff = n > 0 && fireBatch(polledIds, n);
            } finally {
                if (!handedOff) {
                    inFlight.release();
                }
            }
            return n > 0;
        } catch (InterruptedException e) {
            throw e;
        } catch (Throwable t) {
            log.error("[node={}] firing loop failed; continuing", coordinator.nodeId(), t);
            metrics.loopError("firing");
            return false;
        }
    }

    /** Claims and emits; returns {@code true} when a recorder took over the batch (and will release its permit). */
    boolean fireBatch(long[] ids, int n) {
        List<Long> owned = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (coordinator.owns(MessageIds.slotOf(ids[i]))) {
                owned.add(ids[i]);
            }
        }
        if (owned.isEmpty()) {
            return false;
        }
        long token = newToken();
        long now = clock.now();
        List<DelayMessage> claimed;
        try {
            long start = System.nanoTime();
            claimed = store.claim(owned, now, token);
            metrics.storeClaim.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            log.warn("[node={}] claim of {} messages failed; retrying in {} ms", coordinator.nodeId(), owned.size(),
                    STORE_RETRY_MILLIS, e);
            metrics.loopError("claim");
            for (long id : owned) {
                preloader.schedule(now + STORE_RETRY_MILLIS, id);
            }
            return false;
        }
        metrics.claimsLost.increment(owned.size() - claimed.size());
        // expiry is checked at claim: a message claimed at or after its expiresAt is never emitted
        List<DelayMessage> expired = new ArrayList<>(0);
        List<DelayMessage> live = new ArrayList<>(claimed.size());
        for (DelayMessage m : claimed) {
            (m.isExpiredAt(now) ? expired : live).add(m);
        }
        claimed = holdDisabledApps(live, token, now);
        if (claimed.isEmpty() && expired.isEmpty()) {
            return false;
        }
        long start = System.nanoTime();
        List<CompletableFuture<Void>> emitted = claimed.isEmpty() ? List.of() : emitAll(claimed, now);
        List<DelayMessage> toRecord = claimed;
        try {
            recorders.execute(() -> {
                try {
                    record(toRecord, emitted, expired, token, now, start);
                } catch (Throwable t) {
                    // outcomes unwritten: the messages stay FIRING and the sweeper re-fires them (at least once)
                    log.error("[node={}] recording a batch of {} failed", coordinator.nodeId(), toRecord.size(), t);
                    metrics.loopError("record");
                } finally {
                    inFlight.release();
                }
            });
        } catch (RejectedExecutionException e) { // shutting down: record on this thread
            record(toRecord, emitted, expired, token, now, start);
            return false;
        }
        return true;
    }

    private void record(List<DelayMessage> claimed, List<CompletableFuture<Void>> futures, List<DelayMessage> expired,
                        long token, long now, long start) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.sweep().claimTimeout().toMillis() * 3 / 4);
        List<Long> delivered = new ArrayList<>(claimed.size());
        List<MessageStore.Rearm> rearms = new ArrayList<>(0);
        List<MessageStore.Retry> retries = new ArrayList<>(0);
        List<Dying> dying = new ArrayList<>(expired.size());
        for (DelayMessage m : expired) {
            dying.add(new Dying(m, MessageState.EXPIRED, Dying.EXPIRED,
                    "expired at " + m.expiresAt() + " before it could be emitted", m.lastError()));
        }
        List<MessageStore.Retry> untried = new ArrayList<>(0);
        AppStats perApp = metrics.appStats;
        long lateThreshold = settings.firing().lateThreshold().toMillis();
        for (int i = 0; i < claimed.size(); i++) {
            DelayMessage m = claimed.get(i);
            Outcome outcome = await(futures.get(i), deadline);
            if (outcome.delivered()) {
                long lateness = now - m.deliverAt();
                metrics.recordLateness(lateness);
                if (lateness > lateThreshold) {
                    metrics.late.increment();
                }
                perApp.fired(m.appKey());
                metrics.firedByTopic.increment(m.topic());
                if (m.isRepeating()) {
                    rearms.add(new MessageStore.Rearm(m.id(), nextRound(m, now)));
                } else {
                    delivered.add(m.id());
                }
            } else if (outcome.cause() instanceof MessageEmitter.NotAttemptedException) {
                // never sent, or the target as a whole was down: later, and the claim is no attempt
                untried.add(new MessageStore.Retry(m.id(), now + outageBackoff(m, now), outcome.error()));
            } else if (outcome.cause() instanceof MessageEmitter.PermanentFailureException) {
                dying.add(new Dying(m, MessageState.DEAD, Dying.PERMANENT, "permanent failure: " + outcome.error(),
                        outcome.error()));
            } else if (m.attempts() >= settings.retry().maxAttempts()) {
                dying.add(new Dying(m, MessageState.DEAD, Dying.ATTEMPTS_EXHAUSTED,
                        "gave up after " + settings.retry().maxAttempts() + " attempts: " + outcome.error(), outcome.error()));
            } else {
                long wait = backoff(m.attempts());
                if (outcome.cause() instanceof MessageEmitter.RetryAfterException later) {
                    wait = Math.max(wait, later.retryAfterMillis());
                }
                retries.add(new MessageStore.Retry(m.id(), now + wait, outcome.error()));
            }
        }
        metrics.emit.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        Map<String, List<Long>> deadByReason = new LinkedHashMap<>(0);
        Map<String, List<Long>> expiredByReason = new LinkedHashMap<>(0);
        for (Dying d : deadLetter(dying, now, deadline, untried)) {
            if (d.state() == MessageState.EXPIRED) {
                expiredByReason.computeIfAbsent(d.storedReason(), r -> new ArrayList<>()).add(d.message().id());
            } else {
                perApp.dead(d.message().appKey());
                deadByReason.computeIfAbsent(d.storedReason(), r -> new ArrayList<>()).add(d.message().id());
            }
        }
        if (!retries.isEmpty()) {
            // one line per batch, not per message: the operator sees why attempts are spent
            log.warn("[node={}] {} of {} emits failed and will be retried (an attempt spent), e.g. message {}: {}",
                    coordinator.nodeId(), retries.size(), claimed.size(), retries.get(0).id(), retries.get(0).error());
        }
        long done = clock.now();
        record(() -> store.markDelivered(delivered, token, done), delivered.size(), "delivered");
        record(() -> store.rearm(rearms, token, done), rearms.size(), "rearm");
        record(() -> store.retryLater(retries, token, done), retries.size(), "retry");
        record(() -> store.postpone(untried, token, done), untried.size(), "untried");
        int deadCount = 0;
        for (Map.Entry<String, List<Long>> d : deadByReason.entrySet()) {
            record(() -> store.markDead(d.getValue(), token, d.getKey(), done), d.getValue().size(), "dead");
            deadCount += d.getValue().size();
        }
        int expiredCount = 0;
        for (Map.Entry<String, List<Long>> e : expiredByReason.entrySet()) {
            record(() -> store.markExpired(e.getValue(), token, e.getKey(), done), e.getValue().size(), "expired");
            expiredCount += e.getValue().size();
        }
        metrics.expired.increment(expiredCount);
        metrics.fired.increment(delivered.size() + rearms.size());
        metrics.retried.increment(retries.size() + untried.size());
        metrics.dead.increment(deadCount);
        for (MessageStore.Rearm r : rearms) {
            refile(r.id(), r.deliverAt());
        }
        for (MessageStore.Retry r : retries) {
            refile(r.id(), r.fireAt());
        }
        for (MessageStore.Retry r : untried) {
            refile(r.id(), r.fireAt());
        }
    }

    /** A message on its way to DEAD: why (a code for its dead-letter copy, the text kept in the store) and its error. */
    private record Dying(DelayMessage message, MessageState state, String code, String storedReason, String error) {
        static final String PERMANENT = "permanent-failure";
        static final String ATTEMPTS_EXHAUSTED = "attempts-exhausted";
        static final String EXPIRED = "expired";

        Dying because(String more) {
            return new Dying(message, state, code, storedReason + " " + more, error);
        }
    }

    /**
     * Copies dying messages to their dead-letter topics ({@link DeadLetters}) before they are marked DEAD. Returns
     * the ones to mark DEAD now; one whose copy failed in a way that may pass (down, not acknowledged in time, no
     * metadata for the topic — also what a Kafka cluster that is unreachable looks like) is put in {@code untried}
     * instead and fires again later without spending an attempt, so every DEAD message has its dead-letter record.
     * Only a copy refused for good (too large, invalid topic, a 4xx callback) does not keep the message alive: it goes
     * DEAD and its reason says so.
     */
    private List<Dying> deadLetter(List<Dying> dying, long now, long deadlineNanos, List<MessageStore.Retry> untried) {
        if (dying.isEmpty()) {
            return dying;
        }
        DeadLetters where = deadLetters.get();
        List<Dying> dead = new ArrayList<>(dying.size());
        List<Dying> copied = new ArrayList<>(dying.size());
        List<DelayMessage> copies = new ArrayList<>(dying.size());
        for (Dying d : dying) {
            String topic = where.topicOf(d.message().topic());
            if (topic == null) {
                dead.add(d);
            } else {
                copied.add(d);
                copies.add(where.copyOf(d.message(), topic, d.code(), d.error()));
            }
        }
        if (copies.isEmpty()) {
            return dead;
        }
        List<CompletableFuture<Void>> futures = emitAll(copies, now);
        int lettered = 0;
        for (int i = 0; i < copied.size(); i++) {
            Dying d = copied.get(i);
            String topic = copies.get(i).topic();
            Outcome outcome = await(futures.get(i), deadlineNanos);
            if (outcome.delivered()) {
                lettered++;
                dead.add(d);
            } else if (!(outcome.cause() instanceof MessageEmitter.PermanentFailureException)) {
                // down, slow, or a failure that may pass (a Kafka topic without metadata is that while the cluster
                // is unreachable): try again later rather than lose the copy
                untried.add(new MessageStore.Retry(d.message().id(), now + outageBackoff(d.message(), now),
                        "dead-letter topic " + topic + " unavailable (" + outcome.error() + ") after: " + d.storedReason()));
            } else {
                log.warn("[node={}] dead-letter topic {} refused the copy of message {}: {}", coordinator.nodeId(),
                        topic, d.message().id(), outcome.error());
                dead.add(d.because("(dead-letter topic " + topic + " refused the copy: " + outcome.error() + ")"));
            }
        }
        metrics.deadLettered.increment(lettered);
        return dead;
    }

    /** The emitter's futures for {@code messages}; an emitter that throws fails every one of them. */
    private List<CompletableFuture<Void>> emitAll(List<DelayMessage> messages, long now) {
        try {
            return emitter.emit(messages, now);
        } catch (RuntimeException e) {
            List<CompletableFuture<Void>> failed = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                failed.add(CompletableFuture.failedFuture(e));
            }
            return failed;
        }
    }

    /**
     * Messages of a disabled app are not emitted: they go back to SCHEDULED, due again in {@link #HELD_RECHECK_MILLIS},
     * without the claim counting as an attempt (re-enabling the app resumes them; nothing goes DEAD meanwhile).
     * Returns the claimed messages that may be emitted.
     */
    private List<DelayMessage> holdDisabledApps(List<DelayMessage> claimed, long token, long now) {
        Predicate<String> disabled = appDisabled.get();
        List<DelayMessage> emit = null;
        List<MessageStore.Retry> held = null;
        for (int i = 0; i < claimed.size(); i++) {
            DelayMessage m = claimed.get(i);
            boolean hold;
            try {
                hold = disabled.test(m.appKey());
            } catch (RuntimeException e) {
                hold = false; // the app could not be read: the store decides nothing here; emit as before
            }
            if (hold && held == null) {
                held = new ArrayList<>();
                emit = new ArrayList<>(claimed.subList(0, i));
            }
            if (hold) {
                held.add(new MessageStore.Retry(m.id(), now + HELD_RECHECK_MILLIS, "app disabled: not emitted"));
            } else if (emit != null) {
                emit.add(m);
            }
        }
        if (held == null) {
            return claimed;
        }
        List<MessageStore.Retry> postponed = held;
        record(() -> store.postpone(postponed, token, now), held.size(), "held");
        metrics.held.increment(held.size());
        for (MessageStore.Retry r : held) {
            refile(r.id(), r.fireAt());
        }
        return emit;
    }

    private void refile(long id, long fireAt) {
        preloader.file(MessageIds.slotOf(id), fireAt, id);
    }

    private void record(Runnable write, int count, String what) {
        if (count == 0) {
            return;
        }
        try {
            write.run();
        } catch (RuntimeException e) {
            // the messages stay FIRING; the sweeper releases them after claim-timeout (at least once)
            log.warn("[node={}] could not record {} {} outcomes; the sweeper will recover them",
                    coordinator.nodeId(), count, what, e);
            metrics.loopError("record-" + what);
        }
    }

    /** The next round of a repeating message: the first multiple of the interval after now (missed rounds skipped). */
    static long nextRound(DelayMessage m, long now) {
        long interval = m.repeatIntervalMs();
        long next = m.deliverAt() + interval;
        if (next <= now) {
            next = m.deliverAt() + ((now - m.deliverAt()) / interval + 1) * interval;
        }
        return next;
    }

    /**
     * The wait before retrying a message that spent no attempt (an outage): attempts do not grow, so the wait grows
     * with the time the message is overdue instead — half of it, between the initial and the maximum backoff.
     */
    long outageBackoff(DelayMessage m, long now) {
        long initial = settings.retry().initialBackoff().toMillis();
        long max = settings.retry().maxBackoff().toMillis();
        long overdue = Math.max(0, now - m.deliverAt());
        return Math.min(max, Math.max(initial, overdue / 2));
    }

    long backoff(int attempts) {
        long initial = settings.retry().initialBackoff().toMillis();
        long max = settings.retry().maxBackoff().toMillis();
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        long delay = initial << shift;
        return delay <= 0 || delay > max ? max : delay;
    }

    /** How one emit ended: delivered, or the error (its text kept with the message) and its cause. */
    private record Outcome(String error, Throwable cause) {
        static final Outcome DELIVERED = new Outcome(null, null);

        boolean delivered() {
            return error == null;
        }
    }

    private static Outcome await(CompletableFuture<Void> future, long deadlineNanos) {
        try {
            future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return Outcome.DELIVERED;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Outcome(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            return new Outcome("emit not acknowledged in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome("interrupted", e);
        }
    }

    private static long newToken() {
        long t;
        do {
            t = ThreadLocalRandom.current().nextLong();
        } while (t == 0);
        return t;
    }
}
