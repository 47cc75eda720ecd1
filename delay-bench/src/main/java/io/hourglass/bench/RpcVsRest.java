package io.hourglass.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Accept rate of single submits over the RPC API (Dubbo Triple) against the REST API, side by side on one server:
 * a warm-up of both, then {@code --rounds} rounds that each run REST then Dubbo ({@code --count} messages,
 * {@code --clients} threads each), so both see the same server state and the same noise. Reports the median of
 * the rounds per transport. A program of its own in {@code delay-bench.jar}:
 *
 * <pre>{@code
 * java -cp delay-bench/target/delay-bench.jar io.hourglass.bench.RpcVsRest \
 *      --base http://127.0.0.1:8080 --rpc tri://[::1]:50051 --clients 16 --count 20000 --rounds 5
 * }</pre>
 * Messages are due in 10 minutes ({@code delayMs}), so nothing fires during the run.
 */
public final class RpcVsRest {

    /** The command line. */
    @Command(name = "rpc-vs-rest", sortOptions = false, usageHelpWidth = 118,
            customSynopsis = "java -cp delay-bench.jar io.hourglass.bench.RpcVsRest [options]",
            description = {"", "Single-submit accept rate over Dubbo Triple against REST, in alternating rounds.", ""})
    static final class RpcVsRestCommand implements Callable<Integer> {
        @Option(names = "--base", paramLabel = "URL", description = "REST base of the server [http://127.0.0.1:8080]")
        String base = "http://127.0.0.1:8080";
        @Option(names = "--rpc", paramLabel = "URL", description = "Triple address of the same server [tri://[::1]:50051]")
        String rpc = "tri://[::1]:50051";
        @Option(names = "--clients", paramLabel = "C", description = "submitting threads per transport [16]")
        Integer clients;
        @Option(names = "--count", paramLabel = "N", description = "messages per transport per round [20000]")
        Integer count;
        @Option(names = "--warmup", paramLabel = "N", description = "messages per transport before the measured rounds [20000]")
        Integer warmup;
        @Option(names = "--rounds", paramLabel = "R", description = "measured rounds [5]")
        Integer rounds;
        @Option(names = "--app-key", paramLabel = "K", description = "[demo]")
        String appKey = "demo";
        @Option(names = "--app-secret", paramLabel = "S", description = "[demo-secret]")
        String appSecret = "demo-secret";
        @Option(names = "--topic", paramLabel = "T", description = "[demo]")
        String topic = "demo";
        @Mixin
        Cli.Common common = new Cli.Common();

        @Override
        public Integer call() throws Exception {
            URI uri = LocalTargets.requireLocalBase(base);
            if (!rpc.startsWith("tri://")) {
                throw new Cli.UsageException("--rpc must be tri://host:port, got '" + rpc + "'");
            }
            LocalTargets.requireLocalBase(rpc.replace("tri://", "http://")); // the same loopback-only rule
            return RpcVsRest.run(uri, rpc, Cli.range("--clients", clients, 16, 1, 1024),
                    Cli.range("--count", count, 20_000, 1, 10_000_000), Cli.range("--warmup", warmup, 20_000, 0, 10_000_000),
                    Cli.range("--rounds", rounds, 5, 1, 100), appKey, appSecret, topic,
                    common.outDir());
        }
    }

    private RpcVsRest() {
    }

    public static void main(String[] argv) {
        System.exit(Cli.run(new RpcVsRestCommand(), argv));
    }

    private static int run(URI base, String rpc, int clients, int count, int warmup, int rounds, String appKey,
                           String appSecret, String topic, Path outDir) throws InterruptedException, IOException {
        Duration timeout = Duration.ofSeconds(30);
        try (ApiClient rest = ApiClient.create(ApiClient.NETTY, base, appKey, appSecret, clients, 1, timeout);
             ApiClient dubbo = new DubboApiClient(rpc, appKey, appSecret, timeout)) {
            rest.probe();
            dubbo.probe();
            String payload = "x".repeat(100);
            if (warmup > 0) {
                System.out.printf("warm-up: %d messages per transport%n", warmup);
                run(rest, clients, warmup, topic, payload);
                run(dubbo, clients, warmup, topic, payload);
            }
            double[] restRates = new double[rounds];
            double[] dubboRates = new double[rounds];
            Samples restLatency = new Samples();
            Samples dubboLatency = new Samples();
            List<String> failures = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                SubmitEngine.Result r = run(rest, clients, count, topic, payload);
                SubmitEngine.Result d = run(dubbo, clients, count, topic, payload);
                restRates[round] = r.accepted() / (r.elapsedNanos() / 1e9);
                dubboRates[round] = d.accepted() / (d.elapsedNanos() / 1e9);
                restLatency.addAll(r.latencyNanos());
                dubboLatency.addAll(d.latencyNanos());
                if (r.rejected() > 0 || d.rejected() > 0) {
                    failures.add("round " + (round + 1) + ": REST " + r.errors() + ", Dubbo " + d.errors());
                }
                System.out.printf("round %d: REST %s msg/s, Dubbo %s msg/s%n", round + 1,
                        BenchReport.rate(restRates[round]), BenchReport.rate(dubboRates[round]));
            }
            MarkdownTable settings = new MarkdownTable("Setting", "Value")
                    .row("REST", base + " — " + rest.describeTransport())
                    .row("RPC", rpc + " — " + dubbo.describeTransport())
                    .row("clients (threads per transport)", String.valueOf(clients))
                    .row("messages per round per transport", BenchReport.count(count))
                    .row("warm-up per transport", BenchReport.count(warmup))
                    .row("rounds (REST then Dubbo in each)", String.valueOf(rounds))
                    .row("payload", payload.length() + " B, delayMs 600000");
            MarkdownTable results = new MarkdownTable("Transport", "median accept rate", "rounds (msg/s)",
                    "latency p50", "p99", "p99.9")
                    .row("REST (HTTP/1.1, JSON)", "**" + BenchReport.rate(median(restRates)) + " msg/s**",
                            rates(restRates), ms(restLatency, 50), ms(restLatency, 99), ms(restLatency, 99.9))
                    .row("Dubbo Triple (HTTP/2, protobuf)", "**" + BenchReport.rate(median(dubboRates)) + " msg/s**",
                            rates(dubboRates), ms(dubboLatency, 50), ms(dubboLatency, 99), ms(dubboLatency, 99.9));
            BenchReport report = new BenchReport("Hourglass: single-submit accept rate, Dubbo vs REST")
                    .section("Settings", settings)
                    .section("Results", results);
            if (!failures.isEmpty()) {
                report.paragraph("Rejected submits: " + String.join("; ", failures));
            }
            report.publish(outDir, "dubbo-vs-rest");
            return failures.isEmpty() ? LoadGenerator.EXIT_OK : LoadGenerator.EXIT_FAILURES;
        } catch (ApiClient.UnreachableException e) {
            System.err.println("rpc-vs-rest: " + e.getMessage());
            return LoadGenerator.EXIT_UNREACHABLE;
        }
    }

    private static SubmitEngine.Result run(ApiClient api, int clients, int count, String topic, String payload)
            throws InterruptedException {
        ApiClient.Message message = new ApiClient.Message(topic, payload, 600_000L, null);
        SubmitEngine.Plan plan = new SubmitEngine.Plan() {
            @Override
            public int chunks() {
                return count;
            }

            @Override
            public int chunkSize(int chunk) {
                return 1;
            }

            @Override
            public int sequence(int chunk, int i) {
                return chunk;
            }

            @Override
            public long notBefore(int chunk) {
                return Long.MIN_VALUE;
            }

            @Override
            public ApiClient.Message message(int seq, long nowMs) {
                return message;
            }
        };
        return new SubmitEngine(api, clients, false, plan, null, System.currentTimeMillis() + 600_000).run();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String rates(double[] values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.isEmpty() ? "" : ", ").append(BenchReport.rate(v));
        }
        return b.toString();
    }

    private static String ms(Samples s, double p) {
        return BenchReport.nanosAsMillis(s.percentile(p));
    }
}
