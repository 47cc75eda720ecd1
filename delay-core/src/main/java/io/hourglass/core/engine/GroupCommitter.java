package io.hourglass.core.engine;

import io.hourglass.core.error.DuplicateMessageException;
import io.hourglass.core.error.IdempotencyKeyReusedException;
import io.hourglass.core.error.OverloadedException;
import io.hourglass.core.error.StoreUnavailableException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.spi.MessageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.hourglass.core.concurrent.NamedThreads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Group commit: concurrent submits are gathered and written in one transaction; each caller's future completes
 * only after that commit (acknowledged means durable).
 *
 * <p>No artificial linger: while one commit runs, the next submits queue up and form the next batch, so a lone
 * submit pays one commit and a crowd shares one. (A short linger was measured and did not grow batches on the REST
 * path: clients were CPU-bound between requests, not waiting at the queue.) Each commit's messages get one slot and
 * their ids here, so a commit's rows share their index pages. Idempotency keys are resolved on the writer thread:
 * a key seen before (in the store or earlier in the same batch) answers with the first message and creates nothing.
 * One writer by default; {@code delay.core.write-threads} runs several for stores whose insert costs several round
 * trips (Cassandra). Two commits racing for one key are settled by the store's uniqueness, as two servers are.
 */
final class GroupCommitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    private final MessageStore store;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue;
    private final Function<List<NewMessage>, List<DelayMessage>> assignIds;
    private final Consumer<List<DelayMessage>> afterCommit;
    private final DelayMetrics metrics;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long maxWaitNanos;
    private final Thread reaper;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param threads commits in flight at once, each on its own writer thread taking the next batch from the queue.
     *                Concurrent commits are independent: an idempotency key raced between two of them is settled like
     *                a race between two servers (the store refuses the second, which is then resolved alone).
     */
    GroupCommitter(MessageStore store, int maxBatch, int capacity, long maxQueuedBytes, Duration maxWait, int threads,
                   DelayMetrics metrics,
                   Function<List<NewMessage>, List<DelayMessage>> assignIds,
                   Consumer<List<DelayMessage>> afterCommit, String threadName) {
        this.store = store;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxWaitNanos = maxWait.toNanos();
        this.reaper = NamedThreads.daemon(threadName + "-reaper", this::reap);
        this.metrics = metrics;
        this.assignIds = assignIds;
        this.afterCommit = afterCommit;
        for (int i = 0; i < threads; i++) {
            writers.add(NamedThreads.daemon(threads == 1 ? threadName : threadName + "-" + i, this::run));
        }
    }

    void start() {
        writers.forEach(Thread::start);
        reaper.start();
    }

    /**
     * Answers submits that waited longer than {@code max-write-wait} for a writer: 503, and never stored (they are
     * taken out of the queue before a writer can take them). A writer stuck on a frozen store thus holds its own
     * commit only, not every client queued behind it.
     */
    private void reap() {
        while (running || !queue.isEmpty()) {
            try {
                Pending head;
                while ((head = queue.peek()) != null && expired(head, System.nanoTime())) {
                    if (queue.remove(head)) {
                        expire(head);
                    }
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("Write queue reaper failed; continuing", e);
            }
        }
    }

    private boolean expired(Pending p, long now) {
        return now - p.enqueuedNanos > maxWaitNanos;
    }

    private void expire(Pending p) {
        metrics.loopError("write-wait-expired");
        p.future.completeExceptionally(new OverloadedException("Not committed within "
                + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms (delay.core.max-write-wait): the store is slow or"
                + " unavailable; nothing was stored, retry with the same Idempotency-Key"));
    }

    CompletableFuture<SubmitResult> submit(NewMessage message) {
        Pending p = new Pending(message, new CompletableFuture<>());
        if (!running) {
            p.future.completeExceptionally(new OverloadedException("Server is shutting down"));
            return p.future;
        }
        long bytes = heapBytes(message);
        if (queuedBytes.addAndGet(bytes) > maxQueuedBytes && queuedBytes.get() > bytes) {
            queuedBytes.addAndGet(-bytes); // (a lone message larger than the budget still passes: it cannot wait)
            p.future.completeExceptionally(new OverloadedException("Write queue holds its limit of "
                    + maxQueuedBytes + " bytes (delay.core.max-queued-bytes)"));
            return p.future;
        }
        p.future.whenComplete((r, e) -> queuedBytes.addAndGet(-bytes));
        if (!queue.offer(p)) {
            p.future.completeExceptionally(new OverloadedException("Write queue is full (" + queue.size() + " waiting)"));
        }
        return p.future;
    }

    /** Bytes of message data waiting for a commit (submitted, not yet answered). */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** What a waiting message holds on the heap, roughly: its strings at two bytes a character, plus the objects. */
    static long heapBytes(NewMessage m) {
        long chars = length(m.payload()) + length(m.key()) + length(m.topic()) + length(m.appKey())
                + length(m.idempotencyKey()) + length(m.requestHash());
        if (m.headers() != null) {
            for (Map.Entry<String, String> h : m.headers().entrySet()) {
                chars += length(h.getKey()) + length(h.getValue()) + 32;
            }
        }
        return 2 * chars + 256;
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                long now = System.nanoTime();
                batch.removeIf(p -> {
                    if (expired(p, now)) {
                        expire(p);
                        return true;
                    }
                    return false;
                });
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable t) {
                log.error("Group commit failed for {} messages", batch.size(), t);
                metrics.loopError("group-commit");
                for (Pending p : batch) {
                    p.future.completeExceptionally(t);
                }
            } finally {
                batch.clear();
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.future.completeExceptionally(new OverloadedException("Server is shutting down"));
        }
    }

    private void commit(List<Pending> batch) {
        List<Pending> toInsert = resolveIdempotency(batch);
        if (toInsert.isEmpty()) {
            return;
        }
        List<DelayMessage> messages;
        try {
            messages = assign(toInsert); // refused while this server owns no slot (joining, or all slots revoked)
        } catch (RuntimeException e) {
            fail(toInsert, e);
            return;
        }
        try {
            long start = System.nanoTime();
            store.insert(messages);
            metrics.storeInsert.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (DuplicateMessageException e) {
            // another server won an idempotency key (or an id collided): settle each message alone
            for (Pending p : toInsert) {
                commitOne(p, false);
            }
            return;
        } catch (StoreUnavailableException e) {
            fail(toInsert, e); // the store, not a message: every message of the commit fails alike (retryable)
            return;
        } catch (RuntimeException e) {
            if (toInsert.size() == 1) {
                fail(toInsert, e);
                return;
            }
            // a message the store refused (a value it cannot hold): one tenant's bad message must not fail the
            // others of the commit, so each is committed alone and only the bad one answers the error
            log.warn("Group commit of {} messages refused ({}); committing them one by one", toInsert.size(),
                    e.toString());
            for (Pending p : toInsert) {
                commitOne(p, true);
            }
            return;
        }
        acknowledge(toInsert, messages);
    }

    /**
     * Commits one message of a refused group commit on its own. {@code sameId}: keep the id the group commit gave it
     * (a store without transactions may have written it before the refusal; writing it again is then harmless),
     * rather than a new one (after a duplicate, where the id itself may be what collided).
     */
    private void commitOne(Pending p, boolean sameId) {
        List<Pending> single = resolveIdempotency(List.of(p));
        if (single.isEmpty()) {
            return;
        }
        try {
            List<DelayMessage> messages = sameId && p.message != null ? List.of(p.message) : assign(single);
            store.insert(messages);
            acknowledge(single, messages);
        } catch (RuntimeException e) {
            fail(single, e);
        }
    }

    private List<DelayMessage> assign(List<Pending> pendings) {
        List<NewMessage> drafts = new ArrayList<>(pendings.size());
        for (Pending p : pendings) {
            drafts.add(p.draft);
        }
        List<DelayMessage> messages = assignIds.apply(drafts);
        for (int i = 0; i < pendings.size(); i++) {
            pendings.get(i).message = messages.get(i);
        }
        return messages;
    }

    private void acknowledge(List<Pending> inserted, List<DelayMessage> messages) {
        metrics.accepted.increment(messages.size());
        for (DelayMessage m : messages) {
            metrics.appStats.submitted(m.appKey());
        }
        try {
            afterCommit.accept(messages);
        } catch (RuntimeException e) {
            // the messages are durable; the preloader or sweeper will still find them
            log.warn("Could not hand {} committed messages to the timer", messages.size(), e);
        }
        for (Pending p : inserted) {
            p.future.complete(new SubmitResult(p.message, true));
            for (Pending follower : p.followers) {
                follower.future.complete(new SubmitResult(p.message, false));
            }
        }
    }

    private static void fail(List<Pending> pendings, RuntimeException e) {
        RuntimeException error = e instanceof io.hourglass.core.error.DelayException ? e
                : new StoreUnavailableException("Store failed: " + e.getMessage(), e);
        for (Pending p : pendings) {
            p.future.completeExceptionally(error);
            for (Pending follower : p.followers) {
                follower.future.completeExceptionally(error);
            }
        }
    }

    /** Answers repeats of known idempotency keys; returns what still needs inserting. */
    private List<Pending> resolveIdempotency(List<Pending> batch) {
        Map<String, Map<String, Pending>> byApp = null;
        List<Pending> toInsert = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            String key = p.draft.idempotencyKey();
            if (key == null) {
                toInsert.add(p);
                continue;
            }
            if (byApp == null) {
                byApp = new HashMap<>();
            }
            Map<String, Pending> keys = byApp.computeIfAbsent(p.draft.appKey(), a -> new HashMap<>());
            Pending leader = keys.putIfAbsent(key, p);
            if (leader != null && !sameRequest(leader.draft.requestHash(), p.draft.requestHash())) {
                p.future.completeExceptionally(new IdempotencyKeyReusedException(key));
            } else if (leader != null) {
                leader.followers.add(p);
            } else {
                toInsert.add(p);
            }
        }
        if (byApp == null) {
            return toInsert;
        }
        for (Map.Entry<String, Map<String, Pending>> app : byApp.entrySet()) {
            List<DelayMessage> existing;
            try {
                existing = store.findByIdempotencyKeys(app.getKey(), app.getValue().keySet());
            } catch (RuntimeException e) {
                List<Pending> leaders = new ArrayList<>(app.getValue().values());
                fail(leaders, e);
                toInsert.removeAll(leaders);
                continue;
            }
            for (DelayMessage found : existing) {
                Pending leader = app.getValue().get(found.idempotencyKey());
                if (leader != null && toInsert.remove(leader)) {
                    if (!sameRequest(found.requestHash(), leader.draft.requestHash())) {
                        fail(List.of(leader), new IdempotencyKeyReusedException(found.idempotencyKey()));
                        continue;
                    }
                    leader.future.complete(new SubmitResult(found, false));
                    for (Pending follower : leader.followers) {
                        follower.future.complete(new SubmitResult(found, false));
                    }
                }
            }
        }
        return toInsert;
    }

    /** A message stored before request digests were kept has none: its key is honoured as before. */
    private static boolean sameRequest(String storedHash, String requestHash) {
        return storedHash == null || requestHash == null || storedHash.equals(requestHash);
    }

    @Override
    public void close() {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            for (Thread writer : writers) {
                writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Pending {
        final NewMessage draft;
        final CompletableFuture<SubmitResult> future;
        final long enqueuedNanos = System.nanoTime();
        final List<Pending> followers = new ArrayList<>(0);
        DelayMessage message; // set when the commit assigns slot and id

        Pending(NewMessage draft, CompletableFuture<SubmitResult> future) {
            this.draft = draft;
            this.future = future;
        }
    }
}
