package io.hourglass.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the submitting threads of a scenario. The work is a fixed list of requests ("chunks": one message, or one
 * batch of up to 1,000); each thread takes the next chunk, waits for its start time if the plan paces it, sends
 * it and records the latency and what became of each message. Bounded by the chunk count and by a deadline; a
 * run of consecutive transport failures (the server went away) stops it early.
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
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(t);
            w.thread.start();
            workers.add(w);
        }
        Samples latency = new Samples();
        long maxLag = 0;
        for (Worker w : workers) {
            w.thread.join(Math.max(1, deadlineMs - System.currentTimeMillis() + 60_000));
            if (w.thread.isAlive()) {
                abortReason.compareAndSet(null, "a submitting thread did not finish in time");
                w.thread.interrupt();
                w.thread.join(5_000);
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

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        final Samples latency = new Samples();
        long maxLagMs;
        int consecutiveTransportFailures;

        Worker(int index) {
            this.index = index;
            this.thread = new Thread(this, "bench-submit-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                for (int chunk = nextChunk.getAndIncrement(); chunk < plan.chunks(); chunk = nextChunk.getAndIncrement()) {
                    if (abortReason.get() != null) {
                        return;
                    }
                    if (System.currentTimeMillis() > deadlineMs) {
                        abortReason.compareAndSet(null, "--max-seconds reached while submitting");
                        return;
                    }
                    pace(chunk);
                    send(chunk);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                abortReason.compareAndSet(null, "submitting thread failed: " + ApiClient.describe(e));
            }
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
                List<ApiClient.Message> messages = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    messages.add(plan.message(plan.sequence(chunk, i), now));
                }
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
