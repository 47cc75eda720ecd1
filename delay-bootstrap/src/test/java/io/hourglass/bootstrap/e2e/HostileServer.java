package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The one packaged standalone server that {@link HostileInputIT} attacks, shared by its two test engines (Jupiter
 * runs the named attacks, jqwik the properties, in the same fork), started on first use with a small heap and
 * stopped when the fork exits. It also measures what "bad input changes nothing" is about: the app's messages
 * (counted through the admin API) and the server's live heap (after a full GC, through jcmd).
 */
final class HostileServer {

    /** Small on purpose: an unbounded buffer shows as an OutOfMemoryError or a failed heap assertion. */
    static final String MAX_HEAP = "-Xmx512m";
    /** What the live heap may grow by across the attacks: caches filled (H2 pages, JIT) but no buffered bodies. */
    static final long HEAP_MARGIN_BYTES = 64L << 20;

    static final String APP = "demo";
    static final String SECRET = "demo-secret";

    private static final String[] STATES = {"SCHEDULED", "FIRING", "DELIVERED", "CANCELLED", "DEAD", "EXPIRED"};
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
    private static final AtomicInteger nextClient = new AtomicInteger();
    private static HostileServer shared;

    final ServerProcess process;
    final int port;
    private final long baselineHeap;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HostileServer(ServerProcess process) throws Exception {
        this.process = process;
        this.port = process.httpPort;
        warmUp();
        this.baselineHeap = liveHeapBytes();
    }

    /** The server, started on the first call. */
    static synchronized HostileServer get() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "hostile-input-");
            ServerProcess p = ServerProcess.standalone(dir, ServerProcess.freePort(), AdminApiScenario.ADMIN_ARG)
                    .jvmOptions(MAX_HEAP, "-XX:+UseG1GC");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    p.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "hostile-server-stop"));
            p.start();
            shared = new HostileServer(p);
        }
        return shared;
    }

    /**
     * A loopback address no other request of this run has used (127.10.0.1, 127.10.0.2, ...): a client of its
     * own for the per-address throttle of failed authentications.
     */
    static InetAddress freshClient() {
        int n = nextClient.getAndIncrement();
        try {
            return InetAddress.getByAddress(new byte[]{127, 10, (byte) (n / 250), (byte) (n % 250 + 1)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    RawHttp.Answer send(InetAddress from, RawHttp.Request request) throws RawHttp.NoAnswer {
        return RawHttp.exchange(port, from, request, Duration.ofSeconds(60));
    }

    /** One valid call of each endpoint, so that the heap baseline holds the classes and caches they need. */
    private void warmUp() throws Exception {
        InetAddress from = freshClient();
        String[] auth = {"X-App-Key", APP, "X-App-Secret", SECRET, "Content-Type", "application/json"};
        for (int round = 0; round < 3; round++) {
            RawHttp.Answer created = send(from, RawHttp.Request.of("POST", "/api/v1/messages",
                    utf8("{\"topic\":\"demo\",\"payload\":\"warm-up\",\"delayMs\":600000}"), auth));
            assertThat(created.status()).as("warm-up submit: %s", created).isEqualTo(201);
            String id = RestClient.JSON.readTree(created.body()).get("id").asText();
            send(from, RawHttp.Request.of("GET", "/api/v1/messages/" + id, null, auth));
            send(from, RawHttp.Request.of("PATCH", "/api/v1/messages/" + id, utf8("{\"delayMs\":700000}"), auth));
            send(from, RawHttp.Request.of("DELETE", "/api/v1/messages/" + id, null, auth));
            send(from, RawHttp.Request.of("POST", "/api/v1/messages/batch",
                    utf8("{\"messages\":[{\"topic\":\"demo\",\"payload\":\"w\",\"delayMs\":600000}]}"), auth));
            send(from, RawHttp.Request.of("POST", "/delay/sendDelayMsg", utf8("{\"topic\":\"demo\",\"message\":\"w\",\"execTime\":"
                    + (System.currentTimeMillis() + 600_000) + "}"), auth));
            send(from, RawHttp.Request.of("POST", "/delay/cancelDelayMsg", utf8("{\"messageId\":\"" + id + "\"}"), auth));
            send(from, RawHttp.Request.of("POST", "/api/v1/messages", utf8("{"), auth));
            messageCount();
        }
    }

    /** The app's messages in every state, counted through the admin API until two counts in a row agree. */
    long messageCount() {
        AtomicLong last = new AtomicLong(-1);
        AtomicLong agreed = new AtomicLong();
        await("a stable message count").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .ignoreExceptions().until(() -> {
                    long now = countOnce();
                    boolean same = now == last.getAndSet(now);
                    agreed.set(now);
                    return same;
                });
        return agreed.get();
    }

    private long countOnce() throws IOException, InterruptedException {
        long total = 0;
        for (String state : STATES) {
            String cursor = null;
            do {
                JsonNode page = admin("/admin/api/v1/messages?limit=1000&appKey=" + APP + "&state=" + state
                        + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
                total += page.get("items").size();
                cursor = page.get("next").isNull() ? null : page.get("next").asText();
            } while (cursor != null);
        }
        return total;
    }

    private JsonNode admin(String path) throws IOException, InterruptedException {
        String auth = Base64.getEncoder().encodeToString(("admin:" + AdminApiScenario.ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(process.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Basic " + auth).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("admin " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return RestClient.JSON.readTree(r.body());
    }

    /** {@code /actuator/health} answered UP within {@code within}. */
    boolean healthyWithin(Duration within) {
        return process.healthyWithin(within);
    }

    /** The live heap: used bytes right after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}). */
    long liveHeapBytes() throws IOException, InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) { // twice: the first GC may leave objects whose finalization frees more
            jcmd("GC.run");
            Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
            if (!m.find()) {
                throw new IllegalStateException("no heap figure in jcmd GC.heap_info");
            }
            least = Math.min(least, Long.parseLong(m.group(1)) * 1024);
        }
        return least;
    }

    long baselineHeap() {
        return baselineHeap;
    }

    /**
     * After the attacks: the server is alive, healthy, its live heap back within {@link #HEAP_MARGIN_BYTES} of the
     * baseline, and it never ran out of memory.
     */
    void assertRecovered(String after) throws IOException, InterruptedException {
        assertThat(process.alive()).as("server process alive after %s (see %s)", after, process.logFile()).isTrue();
        await("health after " + after).atMost(Duration.ofSeconds(30)).until(() -> healthyWithin(Duration.ofSeconds(1)));
        long live = liveHeapBytes();
        assertThat(live).as("live heap after %s: %d MB, baseline %d MB (+%d MB allowed)", after, live >> 20,
                baselineHeap >> 20, HEAP_MARGIN_BYTES >> 20).isLessThanOrEqualTo(baselineHeap + HEAP_MARGIN_BYTES);
        assertThat(Files.readString(process.logFile(), StandardCharsets.ISO_8859_1))
                .as("server log (%s) after %s", process.logFile(), after).doesNotContain("OutOfMemoryError");
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> states() {
        return List.of(STATES);
    }
}
