package io.hourglass.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Netty client against {@link TinyHttpServer}: framing, keep-alive, reconnects, errors, and the whole load command. */
class NettyApiClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();

    private TinyHttpServer server;

    /** Answers like the API: 201 for a single submit, 200 with one result per entry for a batch, 404 otherwise. */
    private static TinyHttpServer.Response api(TinyHttpServer.Request r) {
        try {
            if (r.method().equals("POST") && r.path().equals("/api/v1/messages")) {
                JsonNode m = JSON.readTree(r.body());
                long deliverAt = m.has("deliverAt") ? m.get("deliverAt").asLong() : 1_000_000 + m.get("delayMs").asLong();
                return TinyHttpServer.Response.json(201, "{\"id\":\"id-" + IDS.incrementAndGet() + "\",\"deliverAt\":"
                        + deliverAt + ",\"state\":\"SCHEDULED\"}");
            }
            if (r.method().equals("POST") && r.path().equals("/api/v1/messages/batch")) {
                ObjectNode out = JSON.createObjectNode();
                ArrayNode results = out.putArray("results");
                for (JsonNode m : JSON.readTree(r.body()).get("messages")) {
                    if (m.get("payload").asText().contains("bad")) {
                        results.addObject().putObject("error").put("type", "https://hourglass.io/problems/validation-failed")
                                .put("status", 400);
                    } else {
                        results.addObject().put("id", "b-" + IDS.incrementAndGet()).put("deliverAt", 5).put("state", "SCHEDULED");
                    }
                }
                return TinyHttpServer.Response.json(200, JSON.writeValueAsString(out));
            }
            return new TinyHttpServer.Response(404, "application/problem+json",
                    "{\"type\":\"https://hourglass.io/problems/message-not-found\",\"status\":404}".getBytes());
        } catch (IOException e) {
            return TinyHttpServer.Response.json(400, "{\"title\":\"malformed-json\"}");
        }
    }

    private NettyApiClient client(int threads) throws IOException {
        return new NettyApiClient(URI.create(server.base()), "demo", "demo-secret", threads, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFewThousandSubmitsFromFourThreadsGoOverOneChannelEach() throws Exception {
        server = new TinyHttpServer(NettyApiClientTest::api);
        int threads = 4;
        int warmUp = 500;
        int perThread = 1500;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong cpu = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (NettyApiClient api = client(threads)) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                Thread w = new Thread(() -> {
                    try {
                        long cpu0 = 0;
                        for (int i = -warmUp; i < perThread; i++) {
                            if (i == 0) {
                                cpu0 = mx.getCurrentThreadCpuTime();
                            }
                            ApiClient.Outcome o = api.submit(index, new ApiClient.Message("demo", "p" + i, null, 1_000L + i));
                            if (!o.ok() || o.deliverAt() != 1_000L + i || !o.id().startsWith("id-")) {
                                throw new AssertionError("request " + i + " of thread " + index + ": " + o);
                            }
                        }
                        cpu.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "client-" + t);
                w.start();
                workers.add(w);
            }
            for (Thread w : workers) {
                w.join(120_000);
            }
            assertThat(failure.get()).isNull();
            assertThat(server.requests.get()).isEqualTo(threads * (warmUp + perThread));
            assertThat(server.connections.get()).isEqualTo(threads); // kept alive, one per thread
            assertThat(api.connectionStats()).containsExactly(threads, 0);
            System.out.printf("netty client: %d requests after %d of warm-up, CPU of the client threads %.1f us/request "
                    + "(user + kernel, without the event loop; the server runs in this JVM on its own threads)%n", threads * perThread, threads * warmUp,
                    cpu.get() / 1e3 / (threads * perThread));
        }
    }

    @Test
    void theRequestCarriesTheHeadersAndTheJsonOfTheMessage() throws Exception {
        server = new TinyHttpServer(NettyApiClientTest::api);
        try (NettyApiClient api = client(1)) {
            ApiClient.Outcome o = api.submit(0, new ApiClient.Message("demo", "hello \"world\"", 600_000L, null));
            assertThat(o).isEqualTo(new ApiClient.Outcome("id-" + IDS.get(), 1_600_000, null));
            TinyHttpServer.Request r = server.last;
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/api/v1/messages");
            assertThat(r.header("Host")).isEqualTo("127.0.0.1:" + server.port());
            assertThat(r.header("X-App-Key")).isEqualTo("demo");
            assertThat(r.header("X-App-Secret")).isEqualTo("demo-secret");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("Idempotency-Key")).isNull();
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
            assertThat(r.bodyText()).isEqualTo("{\"topic\":\"demo\",\"payload\":\"hello \\\"world\\\"\",\"delayMs\":600000}");
        }
    }

    @Test
    void connectionCloseMakesTheClientReconnect() throws Exception {
        server = new TinyHttpServer(NettyApiClientTest::api);
        server.closeEvery = 100; // as Tomcat does by default (maxKeepAliveRequests)
        try (NettyApiClient api = client(1)) {
            for (int i = 0; i < 1000; i++) {
                assertThat(api.submit(0, new ApiClient.Message("demo", "p", 1L, null)).ok()).isTrue();
            }
            assertThat(api.connectionStats()).containsExactly(10, 0);
            assertThat(server.connections.get()).isEqualTo(10);
        }
    }

    @Test
    void aConnectionTheServerDroppedSilentlyIsRetriedOnceOnAFreshOne() throws Exception {
        server = new TinyHttpServer(NettyApiClientTest::api);
        server.dropAfterEach = true;
        try (NettyApiClient api = client(1)) {
            for (int i = 0; i < 50; i++) {
                ApiClient.Outcome o = api.submit(0, new ApiClient.Message("demo", "p", 1L, null));
                assertThat(o.ok()).as("request %d: %s", i, o).isTrue();
            }
            assertThat(server.requests.get()).isEqualTo(50); // each message reached the server once
            long[] stats = api.connectionStats();
            // a new channel per request: either the close was seen before the next request, or the request went
            // out on the closed channel and was sent again
            assertThat(stats[0]).isEqualTo(50);
            assertThat(stats[1]).isBetween(0L, 49L);
        }
    }

    @Test
    void chunkedBatchAnswersAreDecodedAndMatchedToTheMessages() throws Exception {
        server = new TinyHttpServer(NettyApiClientTest::api);
        server.chunked = true;
        try (NettyApiClient api = client(1)) {
            List<ApiClient.Message> batch = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                batch.add(new ApiClient.Message("demo", i == 7 ? "bad" : "ok-" + i, 1L, null));
            }
            for (int round = 0; round < 3; round++) {
                List<ApiClient.Outcome> outcomes = api.submitBatch(0, batch);
                assertThat(outcomes).hasSize(300);
                assertThat(outcomes.get(7).error()).isEqualTo("item HTTP 400 validation-failed");
                assertThat(outcomes.stream().filter(ApiClient.Outcome::ok).count()).isEqualTo(299);
                assertThat(outcomes.get(8).deliverAt()).isEqualTo(5);
            }
            ApiClient.Outcome single = api.submit(0, new ApiClient.Message("demo", "p", 1L, null));
            assertThat(single.ok()).isTrue();
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void errorAnswersAndTransportFailuresBecomeOutcomes() throws Exception {
        server = new TinyHttpServer(r -> new TinyHttpServer.Response(503, "application/problem+json",
                "{\"type\":\"https://hourglass.io/problems/overloaded\",\"status\":503}".getBytes()));
        try (NettyApiClient api = client(1)) {
            assertThat(api.submit(0, new ApiClient.Message("demo", "p", 1L, null)).error()).isEqualTo("HTTP 503 overloaded");
            assertThat(api.submitBatch(0, List.of(new ApiClient.Message("demo", "p", 1L, null))))
                    .extracting(ApiClient.Outcome::error).containsExactly("HTTP 503 overloaded");
        }
        server.close();
        server = new TinyHttpServer(r -> TinyHttpServer.Response.json(201, "{\"id\":\"x\"}"));
        try (NettyApiClient api = client(1)) {
            assertThat(api.submit(0, new ApiClient.Message("demo", "p", 1L, null)).error())
                    .isEqualTo("HTTP 201 answer without id/deliverAt");
        }
        server.close();
        server = null;
        // a port held by a socket that is bound but never listens: connections are refused, and no other process can
        // take the port meanwhile (a closed server's port could be reused, as CI once saw)
        try (java.net.Socket reserved = new java.net.Socket()) {
            reserved.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            try (NettyApiClient api = new NettyApiClient(URI.create("http://127.0.0.1:" + reserved.getLocalPort()),
                    "demo", "s", 1, Duration.ofSeconds(5))) {
                assertThat(api.submit(0, new ApiClient.Message("demo", "p", 1L, null)).error())
                        .startsWith("transport ConnectException");
            }
        }
    }

    @Test
    void aRequestWithoutAnswerTimesOutAndTheConnectionRecovers() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicLong calls = new AtomicLong();
        server = new TinyHttpServer(r -> {
            if (calls.incrementAndGet() == 1) {
                try {
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS); // the first request hangs
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return api(r);
        });
        try (NettyApiClient api = new NettyApiClient(URI.create(server.base()), "demo", "s", 1, Duration.ofMillis(300))) {
            ApiClient.Outcome hung = api.submit(0, new ApiClient.Message("demo", "p", 1L, null));
            assertThat(hung.error()).isEqualTo("transport SocketTimeoutException: no answer within 300 ms");
            release.countDown();
            assertThat(api.submit(0, new ApiClient.Message("demo", "p", 1L, null)).ok()).isTrue();
            assertThat(api.connectionStats()).containsExactly(2, 0); // the timed-out request was not sent again
        }
    }

    @Test
    void theProbeTellsARefusedConnectionFromARefusedAppKey() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (NettyApiClient api = new NettyApiClient(URI.create("http://127.0.0.1:" + port), "demo", "s", 1,
                Duration.ofSeconds(5))) {
            assertThatThrownBy(api::probe).isInstanceOf(ApiClient.UnreachableException.class)
                    .hasMessageContaining("connection refused");
        }
        server = new TinyHttpServer(r -> TinyHttpServer.Response.json(401, "{}"));
        try (NettyApiClient api = client(1)) {
            assertThatThrownBy(api::probe).hasMessageContaining("refused app key 'demo'");
            assertThat(server.last.method()).isEqualTo("GET");
            assertThat(server.last.path()).isEqualTo("/api/v1/messages/1");
            assertThat(server.last.header("Content-Length")).isNull();
        }
        server.close();
        server = new TinyHttpServer(NettyApiClientTest::api);
        try (NettyApiClient api = client(1)) {
            api.probe(); // a 404 is the expected answer
        }
    }

    @Test
    void theLoadCommandRunsAcceptEndToEndWithEitherClient(@TempDir Path out) throws Exception {
        server = new TinyHttpServer(NettyApiClientTest::api);
        server.closeEvery = 100;
        int status = LoadGenerator.run(new String[] {"--scenario", "accept", "--count", "3000", "--clients", "4",
                "--base", server.base(), "--out-dir", out.resolve("single").toString()});
        assertThat(status).isEqualTo(LoadGenerator.EXIT_OK);
        assertThat(server.requests.get()).isEqualTo(3001); // and the probe

        server.chunked = true;
        status = LoadGenerator.run(new String[] {"--scenario", "accept", "--count", "2000", "--clients", "2",
                "--mode", "batch", "--batch-size", "250", "--base", server.base(), "--out-dir", out.resolve("batch").toString()});
        assertThat(status).isEqualTo(LoadGenerator.EXIT_OK);

        server.chunked = false;
        status = LoadGenerator.run(new String[] {"--scenario", "accept", "--count", "300", "--clients", "2",
                "--client", "jdk", "--base", server.base(), "--out-dir", out.resolve("jdk").toString()});
        assertThat(status).isEqualTo(LoadGenerator.EXIT_OK);

        List<String> reports;
        try (Stream<Path> files = Files.walk(out)) {
            reports = files.filter(Files::isRegularFile).map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).toList();
        }
        assertThat(reports).hasSize(3);
        assertThat(String.join("\n", reports))
                .contains("| HTTP client", "netty (one keep-alive channel per client, on the event loops)", "jdk (java.net.http)",
                        "| accepted", "3,000", "2,000", "Request latency (ms)")
                .doesNotContain("Errors");
    }
}
