package io.hourglass.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the submitting threads of a scenario. The work is a fixed list of requests ("chunks": one message, or one
 * batch of up to 1,000); each thread takes the next chunk, waits for its start time if the plan paces it, sends
 * it and records the latency and what became of each message. Bounded by the chunk count and by a deadline; a
 * run of consecutive transport failures (the server went away) stops it early.
 *
 * <p>With an {@linkplain ApiClient#asynchronous() asynchronous} client (Netty) the "threads" are clients driven by
 * the client's event loops: the callback of an answer records it and sends that client's next chunk on the same
 * loop, and the calling thread only waits for the run to end. The load model is the same (one request in flight
 * per client, no pipelining), without handing each request from a submitting thread to an I/O thread and back.
 */
final class SubmitEngine {

    /** What to send, chunk by chunk. */
    interface Plan {
        int chunks();

        int chunkSize(int chunk);

        /** The message sequence number of entry {@code i} of {@code chunk}. */
        int sequence(int chunk, int i);

        /** Epoch ms before which {@code chunk} must not be sent, or {@link Long#MIN_VALUE} to send at once. */
        long notBefore(int chunk);

        /** The message {@code seq}, built at the moment it is sent ({@code nowMs}). */
        ApiClient.Message message(int seq, long nowMs);
    }

    /** The outcome of the submitting phase. */
    record Result(long accepted, long rejected, long requests, Samples latencyNanos, Map<String, Long> errors,
                  long elapsedNanos, long startMs, long endMs, long maxLagMs, String abortReason) {
    }

    private static final int MAX_CONSECUTIVE_TRANSPORT_FAILURES = 20;

    private final ApiClient api;
    private final int threads;
    private final boolean batch;
    private final Plan plan;
    private final Ledger ledger; // null when the run does not track messages one by one
    private final long deadlineMs;

    private final AtomicInteger nextChunk = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicReference<String> abortReason = new AtomicReference<>();

    SubmitEngine(ApiClient api, int threads, boolean batch, Plan plan, Ledger ledger, long deadlineMs) {
        this.api = api;
        this.threads = threads;
        this.batch = batch;
        this.plan = plan;
        this.ledger = ledger;
        this.deadlineMs = deadlineMs;
    }

    Result run() throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        long startMs = System.currentTimeMillis();
        long start = System.nanoTime();
        boolean async = api.asynchronous();
        CountDownLatch finished = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(t, async ? finished : null);
            workers.add(w);
            if (async) {
                w.next();
            } else {
                w.thread.start();
            }
        }
        if (async) {
            awaitClients(finished);
        }
        Samples latency = new Samples();
        long maxLag = 0;
        for (Worker w : workers) {
            if (!async) {
                w.thread.join(Math.max(1, deadlineMs - System.currentTimeMillis() + 60_000));
                if (w.thread.isAlive()) {
                    abortReason.compareAndSet(null, "a submitting thread did not finish in time");
                    w.thread.interrupt();
                    w.thread.join(5_000);
                }
            }
            latency.addAll(w.latency);
            maxLag = Math.max(maxLag, w.maxLagMs);
        }
        long elapsed = System.nanoTime() - start;
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        return new Result(accepted.sum(), rejected.sum(), requests.sum(), latency, errorCounts, elapsed, startMs,
                System.currentTimeMillis(), maxLag, abortReason.get());
    }

    /** Asynchronous clients: waits until every client took its last chunk (each request has its own timeout). */
    private void awaitClients(CountDownLatch finished) throws InterruptedException {
        try {
            if (!finished.await(Math.max(1, deadlineMs - System.currentTimeMillis() + 60_000), TimeUnit.MILLISECONDS)) {
                abortReason.compareAndSet(null, "a client did not finish in time");
                finished.await(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            abortReason.compareAndSet(null, "interrupted");
            throw e;
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread; // null for an asynchronous client
        final CountDownLatch finished;
        final Samples latency = new Samples();
        long maxLagMs;
        int consecutiveTransportFailures;

        Worker(int index, CountDownLatch finished) {
            this.index = index;
            this.finished = finished;
            if (finished == null) {
                this.thread = new Thread(this, "bench-submit-" + index);
                this.thread.setDaemon(true);
            } else {
                this.thread = null;
            }
        }

        @Override
        public void run() {
            try {
                for (int chunk = take(); chunk >= 0; chunk = take()) {
                    pace(chunk);
                    send(chunk);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                abortReason.compareAndSet(null, "submitting thread failed: " + ApiClient.describe(e));
            }
        }

        /** The next chunk to send, or -1 when this client is done (no chunk left, aborted, deadline passed). */
        private int take() {
            int chunk = nextChunk.getAndIncrement();
            if (chunk >= plan.chunks() || abortReason.get() != null) {
                return -1;
            }
            if (System.currentTimeMillis() > deadlineMs) {
                abortReason.compareAndSet(null, "--max-seconds reached while submitting");
                return -1;
            }
            return chunk;
        }

        /** Asynchronous client: sends the next chunk (after its pacing wait); its answer's callback calls again. */
        void next() {
            try {
                int chunk = take();
                if (chunk < 0) {
                    finished.countDown();
                    return;
                }
                long due = plan.notBefore(chunk);
                long wait = due == Long.MIN_VALUE ? 0 : due - System.currentTimeMillis();
                if (wait > 0) {
                    api.later(index, () -> sendAsync(chunk), wait);
                } else {
                    maxLagMs = due == Long.MIN_VALUE ? maxLagMs : Math.max(maxLagMs, -wait);
                    sendAsync(chunk);
                }
            } catch (RuntimeException e) {
                abortReason.compareAndSet(null, "client " + index + " failed: " + ApiClient.describe(e));
                finished.countDown();
            }
        }

        private void sendAsync(int chunk) {
            try {
                int n = plan.chunkSize(chunk);
                long now = System.currentTimeMillis();
                if (batch) {
                    List<ApiClient.Message> messages = messages(chunk, n, now);
                    long t0 = System.nanoTime();
                    api.submitBatchAsync(index, messages, outcomes -> answered(chunk, n, t0, outcomes));
                } else {
                    ApiClient.Message message = plan.message(plan.sequence(chunk, 0), now);
                    long t0 = System.nanoTime();
                    api.submitAsync(index, message, outcome -> answered(chunk, n, t0, List.of(outcome)));
                }
            } catch (RuntimeException e) {
                abortReason.compareAndSet(null, "client " + index + " failed: " + ApiClient.describe(e));
                finished.countDown();
            }
        }

        private void answered(int chunk, int n, long t0, List<ApiClient.Outcome> outcomes) {
            latency.add(System.nanoTime() - t0);
            try {
                record(chunk, n, outcomes);
            } catch (RuntimeException e) {
                abortReason.compareAndSet(null, "client " + index + " failed: " + ApiClient.describe(e));
                finished.countDown();
                return;
            }
            next();
        }

        private List<ApiClient.Message> messages(int chunk, int n, long now) {
            List<ApiClient.Message> messages = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                messages.add(plan.message(plan.sequence(chunk, i), now));
            }
            return messages;
        }

        private void pace(int chunk) throws InterruptedException {
            long due = plan.notBefore(chunk);
            if (due == Long.MIN_VALUE) {
                return;
            }
            long wait = due - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait); // a pacing wait for a known start time, not a polling loop
            } else {
                maxLagMs = Math.max(maxLagMs, -wait);
            }
        }

        private void send(int chunk) throws InterruptedException {
            int n = plan.chunkSize(chunk);
            long now = System.currentTimeMillis();
            List<ApiClient.Outcome> outcomes;
            if (batch) {
                List<ApiClient.Message> messages = messages(chunk, n, now);
                long t0 = System.nanoTime();
                outcomes = api.submitBatch(index, messages);
                latency.add(System.nanoTime() - t0);
            } else {
                ApiClient.Message message = plan.message(plan.sequence(chunk, 0), now);
                long t0 = System.nanoTime();
                ApiClient.Outcome outcome = api.submit(index, message);
                latency.add(System.nanoTime() - t0);
                outcomes = List.of(outcome);
            }
            record(chunk, n, outcomes);
        }

        /** What became of each message of a sent chunk. */
        private void record(int chunk, int n, List<ApiClient.Outcome> outcomes) {
            requests.increment();
            boolean allTransport = true;
            for (int i = 0; i < n; i++) {
                ApiClient.Outcome o = outcomes.get(i);
                int seq = plan.sequence(chunk, i);
                if (o.ok()) {
                    allTransport = false;
                    accepted.increment();
                    if (ledger != null) {
                        ledger.accepted(seq, o.id(), o.deliverAt());
                    }
                } else {
                    allTransport &= o.error().startsWith("transport");
                    rejected.increment();
                    errors.computeIfAbsent(o.error(), k -> new LongAdder()).increment();
                    if (ledger != null) {
                        ledger.rejected(seq);
                    }
                }
            }
            consecutiveTransportFailures = allTransport ? consecutiveTransportFailures + 1 : 0;
            if (consecutiveTransportFailures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES) {
                abortReason.compareAndSet(null, "the server stopped answering ("
                        + MAX_CONSECUTIVE_TRANSPORT_FAILURES + " transport failures in a row: " + outcomes.get(0).error() + ")");
            }
        }
    }
}
