package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The guarantees, end to end: REST in, the packaged standalone server, records read back from its Kafka. */
@Timeout(300)
class StandaloneGuaranteesIT {

    @TempDir
    static Path dir;
    static ServerProcess server;
    static RestClient rest;
    static KafkaReader reader;

    @BeforeAll
    static void startServer() throws Exception {
        int kafkaPort = ServerProcess.freePort();
        server = ServerProcess.standalone(dir, kafkaPort, AdminApiScenario.ADMIN_ARG).start();
        rest = new RestClient(server.baseUrl());
        reader = new KafkaReader("127.0.0.1:" + kafkaPort, "demo");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (reader != null) {
            reader.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void adminApi_appsTopicsQuotasSearchBulkCancelRotationAudit() throws Exception {
        new AdminApiScenario(server.baseUrl()).run();
    }

    private static void readUntil(Duration atMost, java.util.concurrent.Callable<Boolean> done) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            reader.poll();
            return done.call();
        });
    }

    @Test
    void emittedRecordHasTheDocumentedLayout() throws Exception {
        RestClient.Response r = rest.call("POST", "/api/v1/messages",
                "{\"topic\":\"demo\",\"key\":\"order-42\",\"payload\":\"héllo\",\"headers\":{\"tenant\":\"acme\"},\"delayMs\":500}");
        assertThat(r.status()).isEqualTo(201);
        String id = r.body().get("id").asText();
        long deliverAt = r.body().get("deliverAt").asLong();
        readUntil(Duration.ofSeconds(30), () -> reader.byId().containsKey(id));
        KafkaReader.Seen seen = reader.byId().get(id).get(0);
        assertThat(seen.key()).isEqualTo("order-42");
        assertThat(seen.value()).isEqualTo("héllo");
        assertThat(seen.deliverAt()).isEqualTo(deliverAt);
        assertThat(seen.timestamp()).isGreaterThanOrEqualTo(deliverAt);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                rest.call("GET", "/api/v1/messages/" + id, null).body().get("state").asText().equals("DELIVERED"));
    }

    @Test
    void neverEarly_underLoadNoRecordPrecedesItsDueTime() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        ids.add(rest.submit("load", ThreadLocalRandom.current().nextLong(0, 4_000)).get("id").asText());
                    }
                    // and batches of 100
                    StringBuilder batch = new StringBuilder("{\"messages\":[");
                    for (int i = 0; i < 100; i++) {
                        batch.append(i == 0 ? "" : ",").append("{\"topic\":\"demo\",\"payload\":\"b\",\"delayMs\":")
                                .append(ThreadLocalRandom.current().nextLong(0, 4_000)).append('}');
                    }
                    JsonNode results = rest.call("POST", "/api/v1/messages/batch", batch.append("]}").toString()).body();
                    results.get("results").forEach(n -> ids.add(n.get("id").asText()));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ids).hasSize(8 * 350);
        readUntil(Duration.ofSeconds(90), () -> reader.byId().keySet().containsAll(ids));
        long early = 0;
        for (String id : ids) {
            for (KafkaReader.Seen s : reader.byId().get(id)) {
                if (s.timestamp() < s.deliverAt() || s.seenAt() < s.deliverAt()) {
                    early++;
                }
            }
        }
        assertThat(early).as("records emitted before their deliverAt").isZero();
    }

    @Test
    void cancelWinsAndRescheduleWins_forMessagesAlreadyInTheWheel() throws Exception {
        List<String> cancelled = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        List<String> untouched = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            String id = rest.submit("race-" + i, 3_000).get("id").asText(); // inside the 5-min window: in the wheel
            (i % 3 == 0 ? cancelled : i % 3 == 1 ? moved : untouched).add(id);
        }
        Map<String, Long> newDue = new ConcurrentHashMap<>();
        for (String id : cancelled) {
            RestClient.Response r = rest.call("DELETE", "/api/v1/messages/" + id, null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("state").asText()).isEqualTo("CANCELLED");
        }
        for (String id : moved) {
            RestClient.Response r = rest.call("PATCH", "/api/v1/messages/" + id, "{\"delayMs\":6000}");
            assertThat(r.status()).isEqualTo(200);
            newDue.put(id, r.body().get("deliverAt").asLong());
        }
        readUntil(Duration.ofSeconds(60), () -> reader.byId().keySet().containsAll(untouched)
                && reader.byId().keySet().containsAll(moved));
        Map<String, List<KafkaReader.Seen>> seen = reader.byId();
        for (String id : moved) {
            for (KafkaReader.Seen s : seen.get(id)) {
                assertThat(s.deliverAt()).as("reschedule wins: emitted with the new due time").isEqualTo(newDue.get(id));
                assertThat(s.timestamp()).as("reschedule wins: not at the old time").isGreaterThanOrEqualTo(newDue.get(id));
            }
        }
        // give the old due time plenty of chance to (wrongly) fire the cancelled ones
        long until = System.currentTimeMillis() + 2_000;
        readUntil(Duration.ofSeconds(10), () -> System.currentTimeMillis() > until);
        for (String id : cancelled) {
            assertThat(reader.byId()).as("cancel wins: %s never emitted", id).doesNotContainKey(id);
            assertThat(rest.call("GET", "/api/v1/messages/" + id, null).body().get("state").asText()).isEqualTo("CANCELLED");
        }
    }

    @Test
    void metricsAndOpenApiAreServed() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String prom = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(prom).contains("hourglass_messages_accepted_total", "hourglass_messages_fired_total",
                "hourglass_messages_late_total", "hourglass_messages_retried_total", "hourglass_messages_dead_total",
                "hourglass_fire_lateness_seconds_bucket");
        String api = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/v3/api-docs")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(api).contains("/api/v1/messages");
    }

    /** docs/monitoring: a dashboard panel or an alert on a metric the server does not expose would stay empty. */
    @Test
    void everyMetricOfTheDashboardAndTheAlertRulesIsExposed() throws Exception {
        String prom = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.baseUrl() + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        java.util.Set<String> exposed = new java.util.TreeSet<>();
        for (String line : prom.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exposed.add(line.split("[{ ]", 2)[0]);
            }
        }
        java.util.Set<String> queried = new java.util.TreeSet<>();
        for (String file : List.of("hourglass-dashboard.json", "hourglass-alerts.yml")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(hourglass_[a-z_]+|jvm_[a-z_]+)\\b")
                    .matcher(java.nio.file.Files.readString(Path.of("..", "docs", "monitoring", file)));
            while (m.find()) {
                queried.add(m.group(1));
            }
        }
        assertThat(queried).as("the files name metrics").contains("hourglass_messages_early_total",
                "hourglass_slots_unowned", "hourglass_fire_lateness_seconds_bucket");
        assertThat(exposed).containsAll(queried);
    }
}
