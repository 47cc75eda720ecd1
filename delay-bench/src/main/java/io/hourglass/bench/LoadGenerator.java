package io.hourglass.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load generator for a running Hourglass server on this machine: submits through the REST API and, for the
 * {@code burst} and {@code steady} scenarios, reads the emitted records back from Kafka to measure lateness.
 * {@code --help} describes the scenarios and options ({@link LoadOptions.LoadCommand}).
 */
public final class LoadGenerator implements AutoCloseable {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILURES = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_UNREACHABLE = 3;

    private final LoadOptions o;
    private final ApiClient api;
    private final long hardDeadlineMs;

    private LoadGenerator(LoadOptions options) throws ApiClient.UnreachableException {
        this.o = options;
        this.api = ApiClient.create(o.client(), o.base(), o.appKey(), o.appSecret(), o.clients(), o.httpClients(),
                Duration.ofMillis(o.requestTimeoutMs()));
        this.hardDeadlineMs = System.currentTimeMillis() + o.maxSeconds() * 1_000;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit status. */
    static int run(String[] args) {
        return Cli.run(new LoadOptions.LoadCommand(), args);
    }

    /** Runs a checked command line; returns the exit status. */
    static int run(LoadOptions options) {
        try (LoadGenerator generator = new LoadGenerator(options)) {
            return generator.execute();
        } catch (ApiClient.UnreachableException e) {
            System.err.println("load: " + e.getMessage());
            return EXIT_UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("load: interrupted");
            return EXIT_FAILURES;
        } catch (IOException e) {
            System.err.println("load: cannot write the report: " + e.getMessage());
            return EXIT_FAILURES;
        }
    }

    /** Closes the connections (after the submitting threads are done). */
    @Override
    public void close() {
        api.close();
    }

    private int execute() throws ApiClient.UnreachableException, InterruptedException, IOException {
        System.out.printf("load: %s against %s%s, %s messages%n", o.scenario(), o.base(),
                o.kafka() == null ? "" : " (reading back from Kafka " + o.kafka() + ")", BenchReport.count(o.count()));
        api.probe();
        return switch (o.scenario()) {
            case LoadOptions.ACCEPT -> accept();
            case LoadOptions.BURST -> burst();
            default -> steady();
        };
    }

    // ---------------------------------------------------------------- accept

    private int accept() throws InterruptedException, IOException {
        int chunk = o.batchSize();
        int chunks = (o.count() + chunk - 1) / chunk;
        String payload = new Ledger(1, o.payloadBytes()).payload(0);
        SubmitEngine.Plan plan = new ChunkedPlan(o.count(), chunk, chunks) {
            @Override
            public ApiClient.Message message(int seq, long nowMs) {
                return o.timeField().equals("delayMs")
                        ? new ApiClient.Message(o.topic(), payload, o.delayMs(), null)
                        : new ApiClient.Message(o.topic(), payload, null, nowMs + o.delayMs());
            }
        };
        SubmitEngine.Result r = new SubmitEngine(api, o.clients(), isBatch(), plan, null, hardDeadlineMs).run();

        double seconds = r.elapsedNanos() / 1e9;
        MarkdownTable results = new MarkdownTable("Metric", "Value")
                .row("accepted", BenchReport.count(r.accepted()))
                .row("rejected", BenchReport.count(r.rejected()))
                .row("requests", BenchReport.count(r.requests()))
                .row("elapsed", BenchReport.decimal(seconds, 2) + " s")
                .row("**accept rate**", "**" + BenchReport.rate(r.accepted() / seconds) + " msg/s**")
                .row("request rate", BenchReport.rate(r.requests() / seconds) + " req/s");
        BenchReport report = new BenchReport("Hourglass load: accept (" + describeMode() + ")")
                .section("Settings", o.table())
                .section("Results", results)
                .section("Request latency (ms)", latencyTable(r.latencyNanos()));
        addErrors(report, r);
        report.publish(o.outDir(), "accept");
        return r.rejected() == 0 && r.abortReason() == null ? EXIT_OK : EXIT_FAILURES;
    }

    // ---------------------------------------------------------------- burst

    private int burst() throws ApiClient.UnreachableException, InterruptedException, IOException {
        Ledger ledger = new Ledger(o.count(), o.payloadBytes());
        try (KafkaReadBack reader = KafkaReadBack.open(o.kafka(), o.topic(), ledger, Duration.ofSeconds(15))) {
            reader.start();
            long due = System.currentTimeMillis() + o.leadMs();
            int chunk = o.batchSize();
            SubmitEngine.Plan plan = new ChunkedPlan(o.count(), chunk, (o.count() + chunk - 1) / chunk) {
                @Override
                public ApiClient.Message message(int seq, long nowMs) {
                    return timed(ledger.payload(seq), due, nowMs);
                }
            };
            System.out.printf("load: submitting %s messages due at %d (in %d ms)%n",
                    BenchReport.count(o.count()), due, o.leadMs());
            SubmitEngine.Result r = new SubmitEngine(api, o.clients(), isBatch(), plan, ledger,
                    Math.min(hardDeadlineMs, due + o.graceMs())).run();
            long waitUntil = Math.min(hardDeadlineMs, Math.max(due, r.endMs()) + o.graceMs());
            System.out.printf("load: submitted (%s accepted) in %d ms; waiting for the records (up to %d s)%n",
                    BenchReport.count(r.accepted()), r.endMs() - r.startMs(),
                    Math.max(0, waitUntil - System.currentTimeMillis()) / 1000);
            reader.awaitSeen(r.accepted(), waitUntil);
            reader.close();
            Ledger.Delivery d = ledger.analyse();

            MarkdownTable results = new MarkdownTable("Metric", "Value")
                    .row("due at (epoch ms)", due)
                    .row("submitted: accepted / rejected", BenchReport.count(r.accepted()) + " / " + BenchReport.count(r.rejected()))
                    .row("submit time", (r.endMs() - r.startMs()) + " ms ("
                            + BenchReport.rate(r.accepted() / (r.elapsedNanos() / 1e9)) + " msg/s)")
                    .row("submit finished before due by", (due - r.endMs()) + " ms")
                    .row("received", BenchReport.count(d.received))
                    .row("**due -> last emitted** (record timestamp)", d.received == 0 ? "n/a" : "**" + (d.lastEmit - due) + " ms**")
                    .row("**due -> last consumed**", d.received == 0 ? "n/a" : "**" + (d.lastSeen - due) + " ms**")
                    .row("first emitted -> last emitted", d.received == 0 ? "n/a" : (d.lastEmit - d.firstEmit) + " ms")
                    .row("emit rate during the burst", d.received < 2 || d.lastEmit == d.firstEmit ? "n/a"
                            : BenchReport.rate(d.received * 1000.0 / (d.lastEmit - d.firstEmit)) + " msg/s");
            addDeliveryRows(results, d, reader);
            BenchReport report = new BenchReport("Hourglass load: burst of " + BenchReport.count(o.count()) + " due in the same ms")
                    .section("Settings", o.table())
                    .section("Results", results)
                    .section("Lateness (ms after x-delay-deliver-at)", latenessTable(d))
                    .section("Submit request latency (ms)", latencyTable(r.latencyNanos()));
            if (r.endMs() > due) {
                report.paragraph("**Warning:** submitting ended " + (r.endMs() - due) + " ms after the due time, so "
                        + "lateness includes submission; raise --lead-ms.");
            }
            addErrors(report, r);
            report.publish(o.outDir(), "burst");
            return verdict(r, d);
        }
    }

    // ---------------------------------------------------------------- steady

    private int steady() throws ApiClient.UnreachableException, InterruptedException, IOException {
        int n = o.count();
        Ledger ledger = new Ledger(n, o.payloadBytes());
        try (KafkaReadBack reader = KafkaReadBack.open(o.kafka(), o.topic(), ledger, Duration.ofSeconds(15))) {
            reader.start();
            SteadyPlan plan = new SteadyPlan(n, o.batchSize(), o.rate(), o.minDelayMs(), o.maxDelayMs(),
                    System.currentTimeMillis() + 500, ledger);
            long firstDue = plan.dueAt(0);
            long lastDue = plan.dueAt(n - 1);
            System.out.printf("load: %d msg/s due from %d for %d s; submitting %d-%d ms ahead%n",
                    o.rate(), firstDue, o.durationSeconds(), o.minDelayMs(), o.maxDelayMs());
            SubmitEngine.Result r = new SubmitEngine(api, o.clients(), isBatch(), plan, ledger,
                    Math.min(hardDeadlineMs, lastDue + o.graceMs())).run();
            long waitUntil = Math.min(hardDeadlineMs, Math.max(lastDue, r.endMs()) + o.graceMs());
            System.out.printf("load: submitted (%s accepted); waiting for the last records (up to %d s)%n",
                    BenchReport.count(r.accepted()), Math.max(0, waitUntil - System.currentTimeMillis()) / 1000);
            reader.awaitSeen(r.accepted(), waitUntil);
            reader.close();
            Ledger.Delivery d = ledger.analyse();

            long[] perSecond = perSecond(ledger.emitTimes(), firstDue, o.durationSeconds());
            long[] sorted = perSecond.clone();
            Arrays.sort(sorted);
            double span = (d.lastEmit - firstDue) / 1000.0;
            MarkdownTable results = new MarkdownTable("Metric", "Value")
                    .row("target fire rate", BenchReport.rate(o.rate()) + " msg/s for " + o.durationSeconds() + " s")
                    .row("submitted: accepted / rejected", BenchReport.count(r.accepted()) + " / " + BenchReport.count(r.rejected()))
                    .row("submitted after their planned due time", BenchReport.count(plan.lateSubmits.sum()))
                    .row("worst submit lag behind schedule", r.maxLagMs() + " ms")
                    .row("received", BenchReport.count(d.received))
                    .row("**fire rate achieved** (received / (last emit - first due))",
                            d.received == 0 || span <= 0 ? "n/a" : "**" + BenchReport.rate(d.received / span) + " msg/s**")
                    .row("emitted per second within the due window: min / median / max",
                            sorted.length == 0 ? "n/a" : sorted[0] + " / " + sorted[sorted.length / 2] + " / " + sorted[sorted.length - 1])
                    .row("last due -> last emitted", d.received == 0 ? "n/a" : (d.lastEmit - lastDue) + " ms");
            addDeliveryRows(results, d, reader);
            BenchReport report = new BenchReport("Hourglass load: steady " + BenchReport.count(o.rate()) + " msg/s for "
                    + o.durationSeconds() + " s")
                    .section("Settings", o.table())
                    .section("Results", results)
                    .section("Lateness (ms after x-delay-deliver-at)", latenessTable(d))
                    .section("Submit request latency (ms)", latencyTable(r.latencyNanos()));
            addErrors(report, r);
            report.publish(o.outDir(), "steady");
            return verdict(r, d);
        }
    }

    /** Records emitted in each second {@code [start + i s, start + (i+1) s)} for i below {@code seconds}. */
    static long[] perSecond(long[] emitTimes, long start, int seconds) {
        long[] counts = new long[seconds];
        for (long t : emitTimes) {
            long i = Math.floorDiv(t - start, 1000);
            if (i >= 0 && i < seconds) {
                counts[(int) i]++;
            }
        }
        return counts;
    }

    // ---------------------------------------------------------------- plans

    /** Messages {@code [0, count)} in consecutive chunks, sent as fast as the threads go. */
    private abstract static class ChunkedPlan implements SubmitEngine.Plan {
        private final int count;
        private final int chunk;
        private final int chunks;

        ChunkedPlan(int count, int chunk, int chunks) {
            this.count = count;
            this.chunk = chunk;
            this.chunks = chunks;
        }

        @Override
        public int chunks() {
            return chunks;
        }

        @Override
        public int chunkSize(int c) {
            return Math.min(chunk, count - c * chunk);
        }

        @Override
        public int sequence(int c, int i) {
            return c * chunk + i;
        }

        @Override
        public long notBefore(int c) {
            return Long.MIN_VALUE;
        }
    }

    /**
     * Message {@code i} is due at {@code start + maxDelay + i * 1000 / rate}, so exactly {@code rate} fall due
     * each second with no ramp; each is submitted a random {@code [minDelay, maxDelay]} before its due time, and
     * messages are sent in order of submit time, in chunks paced by the first message of each.
     */
    private final class SteadyPlan implements SubmitEngine.Plan {
        private final long[] due;     // by sequence
        private final int[] order;    // sequences in submit-time order
        private final long[] submitAt; // by position in order
        private final int chunk;
        private final Ledger ledger;
        final LongAdder lateSubmits = new LongAdder();

        SteadyPlan(int n, int chunk, int rate, long minDelay, long maxDelay, long start, Ledger ledger) {
            this.chunk = chunk;
            this.ledger = ledger;
            due = new long[n];
            long[] keyed = new long[n];
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < n; i++) {
                long offset = maxDelay + (long) i * 1000 / rate;
                long delay = minDelay + (maxDelay > minDelay ? random.nextLong(maxDelay - minDelay + 1) : 0);
                due[i] = start + offset;
                keyed[i] = ((offset - delay) << 32) | i; // offset - delay >= 0 and < 2^31
            }
            Arrays.sort(keyed);
            order = new int[n];
            submitAt = new long[n];
            for (int k = 0; k < n; k++) {
                order[k] = (int) keyed[k];
                submitAt[k] = start + (keyed[k] >>> 32);
            }
        }

        long dueAt(int seq) {
            return due[seq];
        }

        @Override
        public int chunks() {
            return (order.length + chunk - 1) / chunk;
        }

        @Override
        public int chunkSize(int c) {
            return Math.min(chunk, order.length - c * chunk);
        }

        @Override
        public int sequence(int c, int i) {
            return order[c * chunk + i];
        }

        @Override
        public long notBefore(int c) {
            return submitAt[c * chunk];
        }

        @Override
        public ApiClient.Message message(int seq, long nowMs) {
            if (due[seq] <= nowMs) {
                lateSubmits.increment();
            }
            return timed(ledger.payload(seq), due[seq], nowMs);
        }
    }

    /** A message due at {@code due}, expressed in the chosen time field (delayMs is clamped at 0). */
    private ApiClient.Message timed(String payload, long due, long nowMs) {
        return o.timeField().equals("delayMs")
                ? new ApiClient.Message(o.topic(), payload, Math.max(0, due - nowMs), null)
                : new ApiClient.Message(o.topic(), payload, null, due);
    }

    // ---------------------------------------------------------------- report pieces

    private boolean isBatch() {
        return o.mode().equals(LoadOptions.BATCH);
    }

    private String describeMode() {
        return isBatch() ? "batch of " + o.batchSize() : "single";
    }

    private static MarkdownTable latencyTable(Samples nanos) {
        MarkdownTable t = new MarkdownTable("requests", "p50", "p90", "p99", "p99.9", "max");
        if (nanos.isEmpty()) {
            return t.row(0, "n/a", "n/a", "n/a", "n/a", "n/a");
        }
        return t.row(BenchReport.count(nanos.size()), BenchReport.nanosAsMillis(nanos.percentile(50)),
                BenchReport.nanosAsMillis(nanos.percentile(90)), BenchReport.nanosAsMillis(nanos.percentile(99)),
                BenchReport.nanosAsMillis(nanos.percentile(99.9)), BenchReport.nanosAsMillis(nanos.max()));
    }

    private static MarkdownTable latenessTable(Ledger.Delivery d) {
        MarkdownTable t = new MarkdownTable("measured at", "records", "min", "p50", "p99", "p99.9", "max");
        lateness(t, "emit (record timestamp)", d.emitLateness);
        lateness(t, "consumed by the bench", d.seenLateness);
        return t;
    }

    private static void lateness(MarkdownTable t, String name, Samples s) {
        if (s.isEmpty()) {
            t.row(name, 0, "n/a", "n/a", "n/a", "n/a", "n/a");
            return;
        }
        t.row(name, BenchReport.count(s.size()), s.min(), s.percentile(50), s.percentile(99), s.percentile(99.9), s.max());
    }

    private static void addDeliveryRows(MarkdownTable t, Ledger.Delivery d, KafkaReadBack reader) {
        t.row("**early** (timestamp < x-delay-deliver-at)", "**" + BenchReport.count(d.early) + "**")
                .row("**missing** (accepted, never seen)", "**" + BenchReport.count(d.missing) + "**")
                .row("duplicates (seen twice)", BenchReport.count(d.duplicates))
                .row("x-delay-id differs from the submit answer", BenchReport.count(d.idMismatches))
                .row("x-delay-deliver-at differs from the submit answer", BenchReport.count(d.deliverAtMismatches))
                .row("emitted although the submit failed", BenchReport.count(d.emittedButNotAcknowledged))
                .row("records without x-delay-deliver-at", BenchReport.count(d.malformed))
                .row("other records in the topic (not this run)", BenchReport.count(d.foreign))
                .row("topic partitions / timestamp type", reader.partitions() + " / "
                        + (reader.timestampType() == null ? "n/a" : reader.timestampType()));
        if (reader.failure() != null) {
            t.row("**reader failed**", ApiClient.describe(reader.failure()));
        }
    }

    private static void addErrors(BenchReport report, SubmitEngine.Result r) {
        if (r.abortReason() != null) {
            report.paragraph("**Run stopped early:** " + r.abortReason());
        }
        if (!r.errors().isEmpty()) {
            MarkdownTable t = new MarkdownTable("Refused messages by reason", "Count");
            for (Map.Entry<String, Long> e : r.errors().entrySet()) {
                t.row(e.getKey(), BenchReport.count(e.getValue()));
            }
            report.section("Errors", t);
        }
    }

    private static int verdict(SubmitEngine.Result r, Ledger.Delivery d) {
        boolean clean = r.rejected() == 0 && r.abortReason() == null && d.missing == 0 && d.early == 0;
        return clean ? EXIT_OK : EXIT_FAILURES;
    }
}
