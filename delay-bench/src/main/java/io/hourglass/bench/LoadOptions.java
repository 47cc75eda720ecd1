package io.hourglass.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load generator's settings, read from the command line ({@link #HELP} lists them). Defaults depend on the
 * scenario; an option that does not apply to the chosen scenario is refused rather than ignored.
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

    static final String HELP = """
            Usage: java -jar delay-bench.jar load --scenario accept|burst|steady [options]

            Drives the REST API of a running Hourglass server on this machine and, for burst and steady, reads the
            emitted records back from Kafka. Prints a Markdown table and writes it to <out-dir>/<scenario>-<UTC>.md.
            Only localhost / 127.0.0.1 / [::1] targets are accepted.

            Scenarios
              accept   --count N messages from --clients C threads, --mode single (POST /api/v1/messages) or
                       batch (POST /api/v1/messages/batch, --batch-size B). Each is due --delay-ms ahead (10 min)
                       so firing does not compete. Reports accept rate and request latency p50/p99/max.
                       Kafka is not needed. The messages do fire later: use a topic nobody else reads.
              burst    --count M messages (default 50,000) all due at the same millisecond, --lead-ms after the
                       start (30 s), submitted in batches; then reads them back. Reports due -> last emitted /
                       last consumed, lateness p50/p99/p99.9/max, early and missing records.
              steady   --rate R messages due per second (5,000) for --duration D seconds (60). Each message is
                       submitted between --min-delay-ms and --max-delay-ms (1-10 s) before it is due, so
                       submitting and firing run side by side. Reports achieved fire rate, lateness, early and
                       missing records (not seen within --grace-ms after the last due time).

            Lateness = record timestamp - x-delay-deliver-at (the emit time as the server's producer stamped it);
            "consumed" lateness = time the bench consumer saw the record - x-delay-deliver-at. Early = a record
            stamped before its x-delay-deliver-at. Records are read from the offsets that were at the end of every
            partition before the run, and matched to this run's messages by payload tag and x-delay-id.

            Options (default in brackets; "a/b/s" = accept/burst/steady)
              --scenario S          accept | burst | steady (required)
              --base URL            server base URL [http://127.0.0.1:8080]
              --kafka HOST:PORT     Kafka bootstrap servers, burst/steady [127.0.0.1:9092]
              --app-key K           X-App-Key [demo]
              --app-secret S        X-App-Secret [demo-secret]
              --topic T             topic of the messages; must be registered for the app [demo]
              --count N             messages, accept/burst [100000 / 50000]; 10k, 1m suffixes allowed
              --clients C           concurrent submitting threads [16 / 4 / 4]
              --client T            HTTP client: socket (one plain keep-alive connection per thread, a few
                                    microseconds of CPU per request; http only) | jdk (java.net.http.HttpClient)
                                    [socket; jdk for an https base]
              --http-clients H      --client jdk: HttpClient instances shared by the threads [min(C, 4)]
              --mode M              single | batch [single / batch / batch]
              --batch-size B        messages per batch request, 1..1000 [500 / 500 / 100]
              --time-field F        deliverAt (absolute) | delayMs (relative) [delayMs / deliverAt / delayMs]
              --delay-ms MS         accept: how far ahead each message is due [600000]
              --lead-ms MS          burst: due time = start + lead [30000]
              --rate R              steady: messages due per second [5000]
              --duration D          steady: seconds of due times [60]
              --min-delay-ms MS     steady: shortest submit-to-due delay [1000]
              --max-delay-ms MS     steady: longest submit-to-due delay [10000]
              --grace-ms MS         burst/steady: wait this long after the last due time for records [60000 / 30000]
              --payload-bytes N     payload size, >= 40 [64]
              --request-timeout-ms  per HTTP request [30000]
              --max-seconds S       hard cap on the whole run [1800]
              --out-dir DIR         where the report goes [docs/benchmarks of the repository]
              --help                this text

            Exit status: 0 done, 1 the run completed with failures (rejected, missing or early messages),
            2 bad command line, 3 server or Kafka unreachable or refusing the app key.
            """;

    private static final Set<String> VALUED = Set.of("scenario", "base", "kafka", "app-key", "app-secret", "topic",
            "count", "clients", "http-clients", "client", "mode", "batch-size", "time-field", "delay-ms", "lead-ms", "rate",
            "duration", "min-delay-ms", "max-delay-ms", "grace-ms", "payload-bytes", "request-timeout-ms",
            "max-seconds", "out-dir");
    private static final Set<String> FLAGS = Set.of("help");

    /** Options that only make sense for some scenarios. */
    private static final Map<String, Set<String>> ONLY_FOR = Map.of(
            "kafka", Set.of(BURST, STEADY),
            "count", Set.of(ACCEPT, BURST),
            "delay-ms", Set.of(ACCEPT),
            "lead-ms", Set.of(BURST),
            "rate", Set.of(STEADY),
            "duration", Set.of(STEADY),
            "min-delay-ms", Set.of(STEADY),
            "max-delay-ms", Set.of(STEADY),
            "grace-ms", Set.of(BURST, STEADY));

    static boolean wantsHelp(String[] argv) {
        return argv.length == 0 || List.of(argv).contains("--help") || List.of(argv).contains("-h");
    }

    /** Parses and validates; throws {@link Args.UsageException} with a message naming the option. */
    static LoadOptions parse(String[] argv) {
        Args a = Args.parse(argv, VALUED, FLAGS);
        if (!a.has("scenario")) {
            throw new Args.UsageException("--scenario is required (accept, burst or steady)");
        }
        String scenario = a.choice("scenario", null, List.of(ACCEPT, BURST, STEADY));
        ONLY_FOR.forEach((option, scenarios) -> {
            if (a.has(option) && !scenarios.contains(scenario)) {
                throw new Args.UsageException("--" + option + " does not apply to scenario " + scenario);
            }
        });
        boolean accept = scenario.equals(ACCEPT);
        boolean burst = scenario.equals(BURST);
        boolean steady = scenario.equals(STEADY);

        URI base = LocalTargets.requireLocalBase(a.string("base", "http://127.0.0.1:8080"));
        String kafka = accept ? null : LocalTargets.requireLocalKafka(a.string("kafka", "127.0.0.1:9092"));
        int clients = a.intValue("clients", accept ? 16 : 4, 1, 1024);
        int httpClients = a.intValue("http-clients", Math.min(clients, 4), 1, clients);
        boolean https = "https".equals(base.getScheme());
        String client = a.choice("client", https ? ApiClient.JDK : ApiClient.SOCKET, List.of(ApiClient.SOCKET, ApiClient.JDK));
        if (https && client.equals(ApiClient.SOCKET)) {
            throw new Args.UsageException("--client socket speaks plain http only; use --client jdk for an https --base");
        }
        if (a.has("http-clients") && !client.equals(ApiClient.JDK)) {
            throw new Args.UsageException("--http-clients applies to --client jdk only");
        }
        String appKey = headerValue(a, "app-key", "demo");
        String appSecret = headerValue(a, "app-secret", "demo-secret");
        String mode = a.choice("mode", accept ? SINGLE : BATCH, List.of(SINGLE, BATCH));
        int batchSize = a.intValue("batch-size", steady ? 100 : 500, 1, MAX_BATCH);
        if (a.has("batch-size") && mode.equals(SINGLE)) {
            throw new Args.UsageException("--batch-size needs --mode batch");
        }
        String timeField = a.choice("time-field", burst ? "deliverAt" : "delayMs", List.of("deliverAt", "delayMs"));
        int count = a.intValue("count", accept ? 100_000 : 50_000, 1, 50_000_000);
        long minDelay = a.longValue("min-delay-ms", 1_000, 0, 3_600_000);
        long maxDelay = a.longValue("max-delay-ms", 10_000, 0, 3_600_000);
        if (steady && maxDelay < minDelay) {
            throw new Args.UsageException("--max-delay-ms (" + maxDelay + ") must be >= --min-delay-ms (" + minDelay + ")");
        }
        int rate = a.intValue("rate", 5_000, 1, 1_000_000);
        int duration = a.intValue("duration", 60, 1, 3_600);
        if (steady && (long) rate * duration > 50_000_000L) {
            throw new Args.UsageException("--rate x --duration is " + (long) rate * duration + " messages; at most 50m");
        }
        Path outDir = a.has("out-dir") ? Path.of(a.string("out-dir", null)) : BenchReport.defaultOutputDir();
        return new LoadOptions(
                scenario, base, kafka,
                appKey,
                appSecret,
                a.string("topic", "demo"),
                steady ? rate * duration : count,
                clients, httpClients, client, mode, mode.equals(SINGLE) ? 1 : batchSize, timeField,
                a.longValue("delay-ms", 600_000, 0, 365L * 24 * 3_600_000),
                a.longValue("lead-ms", 30_000, 1_000, 3_600_000),
                rate, duration, minDelay, maxDelay,
                a.longValue("grace-ms", burst ? 60_000 : 30_000, 0, 3_600_000),
                a.intValue("payload-bytes", 64, Ledger.MIN_PAYLOAD_BYTES, 1 << 20),
                a.longValue("request-timeout-ms", 30_000, 100, 600_000),
                a.longValue("max-seconds", 1_800, 1, 86_400),
                outDir);
    }

    /** An option sent as an HTTP header value: no control characters, Latin-1 only. */
    private static String headerValue(Args a, String name, String fallback) {
        String v = a.string(name, fallback);
        try {
            return HttpConnection.requireHeaderText(v, "--" + name);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
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
        t.row("HTTP client", jdk ? "jdk (java.net.http)" : "socket (one keep-alive connection per thread)");
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
