package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP callbacks from the packaged server to a real HTTP receiver in this test: a message is delivered by a signed
 * request that verifies with the recipe of docs/callbacks.md, never before its due time; and at least once across a
 * SIGKILL of the server while its request is in flight (the receiver holds it unanswered): after the restart the
 * message is requested again and ends DELIVERED. And the same set up at run time through the admin API.
 */
@Timeout(300)
class CallbackIT {

    private static final String SECRET = "6f1c0e9a0d3b4c1f8e2a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e";

    @TempDir
    Path dir;
    private ServerProcess server;
    private HttpServer receiver;

    /** One request the receiver got. */
    record Received(String id, int attempt, long deliverAt, long receivedAt, String signature, byte[] body,
                    String app) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** While set, requests are held unanswered until it is released (the server's request stays in flight). */
    private volatile CountDownLatch hold;

    @AfterEach
    void stop() throws Exception {
        if (hold != null) {
            hold.countDown();
        }
        if (server != null && server.alive()) {
            server.stop();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.createContext("/hook", this::receive);
        receiver.start();
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    /**
     * The admin API sets the app's allowed hosts, makes its signing secret and sets the topic's target at run time
     * (no callback properties at all): the next message is called back, signed with that secret; once the target is
     * removed, the topic's messages go to Kafka again.
     */
    @Test
    void targetsHostsAndSecretsSetThroughTheAdminApiDeliverAtOnceAndRemovingThemGoesBackToKafka() throws Exception {
        startReceiver();
        int kafkaPort = ServerProcess.freePort();
        server = ServerProcess.standalone(dir, kafkaPort, "--delay.bootstrap-app.topics=demo,hooks",
                "--delay.message.http.enabled=true", AdminApiScenario.ADMIN_ARG).start();
        RestClient rest = new RestClient(server.baseUrl());
        AdminApiScenario admin = new AdminApiScenario(server.baseUrl());

        assertThat(admin.admin("PUT", "/admin/api/v1/apps/demo/callbacks/allowed-hosts",
                java.util.Map.of("hosts", List.of("127.0.0.1"))).status()).isEqualTo(200);
        AdminApiScenario.Answer secret = admin.admin("POST", "/admin/api/v1/apps/demo/callbacks/signing-secret", null);
        assertThat(secret.status()).as("%s", secret.body()).isEqualTo(200);
        byte[] key = secret.body().get("signingSecret").asText().getBytes(StandardCharsets.UTF_8);
        AdminApiScenario.Answer set = admin.admin("PUT", "/admin/api/v1/apps/demo/topics/hooks/callback",
                java.util.Map.of("url", hookUrl(), "timeoutMs", 5000, "allowPrivateNetwork", true));
        assertThat(set.status()).as("%s", set.body()).isEqualTo(200);

        String called = submit(rest, "{\"via\":\"callback\"}", 0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> state(rest, called)
                .equals("DELIVERED"));
        Received r = only(called);
        assertThat(verify(r.signature(), r.body(), key, System.currentTimeMillis() / 1000))
                .as("signed with the secret the admin API made").isTrue();

        assertThat(admin.admin("DELETE", "/admin/api/v1/apps/demo/topics/hooks/callback", null).status())
                .isEqualTo(200);
        String viaKafka = submit(rest, "{\"via\":\"kafka\"}", 0);
        try (KafkaReader reader = new KafkaReader("127.0.0.1:" + kafkaPort, "hooks")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                reader.poll();
                return reader.byId().containsKey(viaKafka);
            });
        }
        assertThat(state(rest, viaKafka)).isEqualTo("DELIVERED");
        assertThat(received).extracting(Received::id).as("not called back once removed").doesNotContain(viaKafka);
    }

    @Test
    void callbacksAreSignedNeverEarlyAndAtLeastOnceAcrossAKill9MidDelivery() throws Exception {
        startReceiver();
        int kafkaPort = ServerProcess.freePort();
        server = ServerProcess.standalone(dir, kafkaPort,
                "--delay.bootstrap-app.topics=demo,hooks",
                "--delay.message.http.enabled=true",
                "--delay.message.http.targets.hooks.app-key=demo",
                "--delay.message.http.targets.hooks.url=" + hookUrl(),
                "--delay.message.http.targets.hooks.timeout=5s",
                "--delay.message.http.targets.hooks.allow-private-network=true",
                "--delay.message.http.signing-secrets.demo=" + SECRET,
                "--delay.message.http.allowed-hosts.demo=127.0.0.1",
                // a claim left FIRING by the killed server is fired again soon after the restart
                "--delay.core.claim-timeout=8s",
                "--delay.core.sweep-interval=1s").start();
        RestClient rest = new RestClient(server.baseUrl());

        // 1. delivered by a signed request, not before its due time
        String first = submit(rest, "{\"order\":1}", 2_000);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> state(rest, first)
                .equals("DELIVERED"));
        Received r = only(first);
        assertThat(r.receivedAt()).as("never early").isGreaterThanOrEqualTo(r.deliverAt());
        assertThat(r.attempt()).isEqualTo(1);
        assertThat(r.app()).isEqualTo("demo");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"order\":1}");
        assertThat(verify(r.signature(), r.body(), SECRET.getBytes(StandardCharsets.UTF_8),
                System.currentTimeMillis() / 1000)).as("signature %s verifies", r.signature()).isTrue();
        assertThat(verify(r.signature(), "{\"order\":2}".getBytes(StandardCharsets.UTF_8),
                SECRET.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis() / 1000))
                .as("a changed body does not verify").isFalse();

        // 2. the server is killed while the receiver holds its request; after the restart it is requested again
        hold = new CountDownLatch(1);
        String second = submit(rest, "{\"order\":2}", 0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> received.stream().anyMatch(x -> x.id().equals(second)));
        server.kill9();
        hold.countDown(); // from now on the receiver answers 200 (the held connection is gone with the server)
        hold = null;

        server.start(); // same data directory
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> state(rest, second)
                .equals("DELIVERED"));
        List<Received> requests = received.stream().filter(x -> x.id().equals(second)).toList();
        assertThat(requests).as("at least once: requested before the kill and again after the restart")
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(requests).allSatisfy(x -> {
            assertThat(x.receivedAt()).as("never early").isGreaterThanOrEqualTo(x.deliverAt());
            assertThat(new String(x.body(), StandardCharsets.UTF_8)).isEqualTo("{\"order\":2}");
            assertThat(verify(x.signature(), x.body(), SECRET.getBytes(StandardCharsets.UTF_8),
                    System.currentTimeMillis() / 1000)).isTrue();
        });
        assertThat(received.stream().filter(x -> x.id().equals(first))).as("the delivered one is not sent again")
                .hasSize(1);
    }

    private void receive(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        var h = exchange.getRequestHeaders();
        received.add(new Received(h.getFirst("X-Hourglass-Id"), Integer.parseInt(h.getFirst("X-Hourglass-Attempt")),
                Long.parseLong(h.getFirst("X-Hourglass-Deliver-At")), System.currentTimeMillis(),
                h.getFirst("X-Hourglass-Signature"), body, h.getFirst("X-Hourglass-App")));
        CountDownLatch held = hold;
        if (held != null) {
            try {
                held.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            exchange.sendResponseHeaders(200, -1);
        } catch (IOException e) {
            // the server that sent it is gone
        } finally {
            exchange.close();
        }
    }

    private Received only(String id) {
        List<Received> of = received.stream().filter(x -> x.id().equals(id)).toList();
        assertThat(of).hasSize(1);
        return of.get(0);
    }

    private static String submit(RestClient rest, String payload, long delayMs) throws Exception {
        RestClient.Response created = rest.call("POST", "/api/v1/messages", "{\"topic\":\"hooks\",\"payload\":"
                + RestClient.JSON.writeValueAsString(payload) + ",\"delayMs\":" + delayMs + "}");
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        JsonNode body = created.body();
        return body.get("id").asText();
    }

    private static String state(RestClient rest, String id) throws Exception {
        return rest.call("GET", "/api/v1/messages/" + id, null).body().get("state").asText();
    }

    /** The receiver's check, exactly as docs/callbacks.md gives it. */
    static boolean verify(String signature, byte[] body, byte[] secret, long nowSeconds) throws GeneralSecurityException {
        String t = signature.replaceAll("^t=(\\d+),v1=[0-9a-f]{64}$", "$1"), v1 = signature.replaceAll("^t=\\d+,v1=", "");
        if (!t.matches("\\d{1,18}") || Math.abs(nowSeconds - Long.parseLong(t)) > 300) return false; // replay window
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
        byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
    }
}
