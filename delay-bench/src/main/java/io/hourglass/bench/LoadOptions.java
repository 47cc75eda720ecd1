package io.hourglass.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The load generator's settings, read from the command line ({@link LoadCommand}; {@code load --help} lists them).
 * Defaults depend on the scenario; an option that does not apply to the chosen scenario is refused rather than
 * ignored.
 */
record LoadOptions(
        String scenario,
        URI base,
        String kafka,
        String appKey,
        String appSecret,
        String topic,
        int count,
        int clients,
        int httpClients,
        String client,
        String mode,
        int batchSize,
        String timeField,
        long delayMs,
        long leadMs,
        int rate,
        int durationSeconds,
        long minDelayMs,
        long maxDelayMs,
        long graceMs,
        int payloadBytes,
        long requestTimeoutMs,
        long maxSeconds,
        Path outDir) {

    static final String ACCEPT = "accept";
    static final String BURST = "burst";
    static final String STEADY = "steady";
    static final String SINGLE = "single";
    static final String BATCH = "batch";
    static final int MAX_BATCH = 1000;

    /**
     * The {@code load} command line as picocli reads it. Options whose default depends on the scenario are null when
     * not given; {@link #options()} applies the defaults and the checks that span options.
     */
    @Command(name = "load", sortOptions = false, usageHelpWidth = 118,
            header = "Drives a running server on this machine (REST in, Kafka out): accept, burst or steady.",
            customSynopsis = "java -jar delay-bench.jar load --scenario accept|burst|steady [options]",
            description = {
                "",
                "Drives the REST API of a running Hourglass server on this machine and, for burst and steady, reads the",
                "emitted records back from Kafka. Prints a Markdown table and writes it to <out-dir>/<scenario>-<UTC>.md.",
                "Only localhost / 127.0.0.1 / [::1] targets are accepted.",
                "",
                "Scenarios",
                "  accept   --count N messages from --clients C threads, --mode single (POST /api/v1/messages) or",
                "           batch (POST /api/v1/messages/batch, --batch-size B). Each is due --delay-ms ahead (10 min)",
                "           so firing does not compete. Reports accept rate and request latency p50/p99/max.",
                "           Kafka is not needed. The messages do fire later: use a topic nobody else reads.",
                "  burst    --count M messages (default 50,000) all due at the same millisecond, --lead-ms after the",
                "           start (30 s), submitted in batches; then reads them back. Reports due -> last emitted /",
                "           last consumed, lateness p50/p99/p99.9/max, early and missing records.",
                "  steady   --rate R messages due per second (5,000) for --duration D seconds (60). Each message is",
                "           submitted between --min-delay-ms and --max-delay-ms (1-10 s) before it is due, so",
                "           submitting and firing run side by side. Reports achieved fire rate, lateness, early and",
                "           missing records (not seen within --grace-ms after the last due time).",
                "",
                "Lateness = record timestamp - x-delay-deliver-at (the emit time as the server's producer stamped it);",
                "\"consumed\" lateness = time the bench consumer saw the record - x-delay-deliver-at. Early = a record",
                "stamped before its x-delay-deliver-at. Records are read from the offsets that were at the end of every",
                "partition before the run, and matched to this run's messages by payload tag and x-delay-id.",
                "",
                "Options (default in brackets; \"a/b/s\" = accept/burst/steady; counts take k/m suffixes):"},
            footer = {"",
                "Exit status: 0 done, 1 the run completed with failures (rejected, missing or early messages),",
                "2 bad command line, 3 server or Kafka unreachable or refusing the app key."})
    static final class LoadCommand implements Callable<Integer> {

        @Option(names = "--scenario", paramLabel = "S", required = true, description = "accept | burst | steady")
        String scenario;
        @Option(names = "--base", paramLabel = "URL", description = "server base URL [http://127.0.0.1:8080]")
        String base = "http://127.0.0.1:8080";
        @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers, b/s [127.0.0.1:9092]")
        String kafka;
        @Option(names = "--app-key", paramLabel = "K", description = "X-App-Key [demo]")
        String appKey = "demo";
        @Option(names = "--app-secret", paramLabel = "S", description = "X-App-Secret [demo-secret]")
        String appSecret = "demo-secret";
        @Option(names = "--topic", paramLabel = "T", description = "topic of the messages; must be registered for the app [demo]")
        String topic = "demo";
        @Option(names = "--count", paramLabel = "N", description = "messages, a/b [100000 / 50000]")
        Integer count;
        @Option(names = "--clients", paramLabel = "C", description = "concurrent clients, one request in flight each, a/b/s [16 / 4 / 4]")
        Integer clients;
        @Option(names = "--client", paramLabel = "T", description = {
            "HTTP client: netty (Netty's HTTP codec, one keep-alive channel per client on the event loops; http only) |",
            "jdk (java.net.http.HttpClient) [netty; jdk for an https base]"})
        String client;
        @Option(names = "--http-clients", paramLabel = "H", description = "--client jdk: HttpClient instances shared by the threads [min(C, 4)]")
        Integer httpClients;
        @Option(names = "--mode", paramLabel = "M", description = "single | batch, a/b/s [single / batch / batch]")
        String mode;
        @Option(names = "--batch-size", paramLabel = "B", description = "messages per batch request, 1..1000, a/b/s [500 / 500 / 100]")
        Integer batchSize;
        @Option(names = "--time-field", paramLabel = "F", description = "deliverAt (absolute) | delayMs (relative), a/b/s [delayMs / deliverAt / delayMs]")
        String timeField;
        @Option(names = "--delay-ms", paramLabel = "MS", description = "accept: how far ahead each message is due [600000]")
        Long delayMs;
        @Option(names = "--lead-ms", paramLabel = "MS", description = "burst: due time = start + lead [30000]")
        Long leadMs;
        @Option(names = "--rate", paramLabel = "R", description = "steady: messages due per second [5000]")
        Integer rate;
        @Option(names = "--duration", paramLabel = "D", description = "steady: seconds of due times [60]")
        Integer duration;
        @Option(names = "--min-delay-ms", paramLabel = "MS", description = "steady: shortest submit-to-due delay [1000]")
        Long minDelayMs;
        @Option(names = "--max-delay-ms", paramLabel = "MS", description = "steady: longest submit-to-due delay [10000]")
        Long maxDelayMs;
        @Option(names = "--grace-ms", paramLabel = "MS", description = "b/s: wait this long after the last due time for records [60000 / 30000]")
        Long graceMs;
        @Option(names = "--payload-bytes", paramLabel = "N", description = "payload size, >= 40 [64]")
        Integer payloadBytes;
        @Option(names = "--request-timeout-ms", paramLabel = "MS", description = "per HTTP request [30000]")
        Long requestTimeoutMs;
        @Option(names = "--max-seconds", paramLabel = "S", description = "hard cap on the whole run [1800]")
        Long maxSeconds;
        @Mixin
        Cli.Common common = new Cli.Common();

        @Override
        public Integer call() {
            return LoadGenerator.run(options());
        }

        /** The settings with the scenario's defaults; throws {@link Cli.UsageException} naming the option. */
        LoadOptions options() {
            String s = Cli.choice("--scenario", scenario, null, List.of(ACCEPT, BURST, STEADY));
            Map<String, Object> onlyFor = new LinkedHashMap<>();
            onlyFor.put("--kafka", kafka);
            onlyFor.put("--count", count);
            onlyFor.put("--delay-ms", delayMs);
            onlyFor.put("--lead-ms", leadMs);
            onlyFor.put("--rate", rate);
            onlyFor.put("--duration", duration);
            onlyFor.put("--min-delay-ms", minDelayMs);
            onlyFor.put("--max-delay-ms", maxDelayMs);
            onlyFor.put("--grace-ms", graceMs);
            onlyFor.forEach((option, value) -> {
                if (value != null && !ONLY_FOR.get(option).contains(s)) {
                    throw new Cli.UsageException(option + " does not apply to scenario " + s);
                }
            });
            boolean accept = s.equals(ACCEPT);
            boolean burst = s.equals(BURST);
            boolean steady = s.equals(STEADY);

            URI uri = LocalTargets.requireLocalBase(base);
            String bootstrap = accept ? null : LocalTargets.requireLocalKafka(kafka == null ? "127.0.0.1:9092" : kafka);
            int threads = Cli.range("--clients", clients, accept ? 16 : 4, 1, 1024);
            int jdkClients = Cli.range("--http-clients", httpClients, Math.min(threads, 4), 1, threads);
            boolean https = "https".equals(uri.getScheme());
            String transport = Cli.choice("--client", client, https ? ApiClient.JDK : ApiClient.NETTY,
                    List.of(ApiClient.NETTY, ApiClient.JDK));
            if (https && transport.equals(ApiClient.NETTY)) {
                throw new Cli.UsageException("--client netty speaks plain http only; use --client jdk for an https --base");
            }
            if (httpClients != null && !transport.equals(ApiClient.JDK)) {
                throw new Cli.UsageException("--http-clients applies to --client jdk only");
            }
            String m = Cli.choice("--mode", mode, accept ? SINGLE : BATCH, List.of(SINGLE, BATCH));
            int batch = Cli.range("--batch-size", batchSize, steady ? 100 : 500, 1, MAX_BATCH);
            if (batchSize != null && m.equals(SINGLE)) {
                throw new Cli.UsageException("--batch-size needs --mode batch");
            }
            String field = Cli.choice("--time-field", timeField, burst ? "deliverAt" : "delayMs",
                    List.of("deliverAt", "delayMs"));
            int n = Cli.range("--count", count, accept ? 100_000 : 50_000, 1, 50_000_000);
            long minDelay = Cli.range("--min-delay-ms", minDelayMs, 1_000, 0, 3_600_000);
            long maxDelay = Cli.range("--max-delay-ms", maxDelayMs, 10_000, 0, 3_600_000);
            if (steady && maxDelay < minDelay) {
                throw new Cli.UsageException("--max-delay-ms (" + maxDelay + ") must be >= --min-delay-ms (" + minDelay + ")");
            }
            int r = Cli.range("--rate", rate, 5_000, 1, 1_000_000);
            int d = Cli.range("--duration", duration, 60, 1, 3_600);
            if (steady && (long) r * d > 50_000_000L) {
                throw new Cli.UsageException("--rate x --duration is " + (long) r * d + " messages; at most 50m");
            }
            return new LoadOptions(
                    s, uri, bootstrap,
                    headerValue("--app-key", appKey),
                    headerValue("--app-secret", appSecret),
                    topic,
                    steady ? r * d : n,
                    threads, jdkClients, transport, m, m.equals(SINGLE) ? 1 : batch, field,
                    Cli.range("--delay-ms", delayMs, 600_000, 0, 365L * 24 * 3_600_000),
                    Cli.range("--lead-ms", leadMs, 30_000, 1_000, 3_600_000),
                    r, d, minDelay, maxDelay,
                    Cli.range("--grace-ms", graceMs, burst ? 60_000 : 30_000, 0, 3_600_000),
                    Cli.range("--payload-bytes", payloadBytes, 64, Ledger.MIN_PAYLOAD_BYTES, 1 << 20),
                    Cli.range("--request-timeout-ms", requestTimeoutMs, 30_000, 100, 600_000),
                    Cli.range("--max-seconds", maxSeconds, 1_800, 1, 86_400),
                    common.outDir());
        }
    }

    /** Options that only make sense for some scenarios. */
    private static final Map<String, Set<String>> ONLY_FOR = Map.of(
            "--kafka", Set.of(BURST, STEADY),
            "--count", Set.of(ACCEPT, BURST),
            "--delay-ms", Set.of(ACCEPT),
            "--lead-ms", Set.of(BURST),
            "--rate", Set.of(STEADY),
            "--duration", Set.of(STEADY),
            "--min-delay-ms", Set.of(STEADY),
            "--max-delay-ms", Set.of(STEADY),
            "--grace-ms", Set.of(BURST, STEADY));

    /** Parses and checks a {@code load} command line (without {@code --help}); for the tests. */
    static LoadOptions parse(String... argv) {
        LoadCommand command = new LoadCommand();
        Cli.commandLine(command).parseArgs(argv);
        return command.options();
    }

    /** An option sent as an HTTP header value: no control characters (CR, LF...), Latin-1 only. */
    private static String headerValue(String option, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new Cli.UsageException(option + " holds a character that cannot go into an HTTP header");
            }
        }
        return value;
    }

    /** The settings as a table for the report. */
    MarkdownTable table() {
        MarkdownTable t = new MarkdownTable("Setting", "Value");
        t.row("scenario", scenario).row("base", base);
        if (kafka != null) {
            t.row("kafka", kafka);
        }
        t.row("app key", appKey).row("topic", topic);
        t.row("messages", BenchReport.count(count));
        boolean jdk = client.equals(ApiClient.JDK);
        t.row("HTTP client", jdk ? "jdk (java.net.http)" : "netty (one keep-alive channel per client, on the event loops)");
        t.row("clients (threads / HttpClients)", clients + " / " + (jdk ? String.valueOf(httpClients) : "n/a"));
        t.row("mode", mode.equals(BATCH) ? "batch of " + batchSize : "single");
        t.row("time field", timeField);
        switch (scenario) {
            case ACCEPT -> t.row("due in", delayMs + " ms");
            case BURST -> t.row("lead (start to due)", leadMs + " ms").row("grace", graceMs + " ms");
            default -> t.row("target fire rate", rate + " /s").row("duration", durationSeconds + " s")
                    .row("submit-to-due delay", minDelayMs + ".." + maxDelayMs + " ms").row("grace", graceMs + " ms");
        }
        t.row("payload", payloadBytes + " B");
        return t;
    }
}
