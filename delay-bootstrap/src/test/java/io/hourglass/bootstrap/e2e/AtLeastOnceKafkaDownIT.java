package io.hourglass.bootstrap.e2e;

import io.hourglass.message.kafka.embedded.EmbeddedKafkaServer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Guarantee 3, at least once: Kafka is stopped while messages fall due, for longer than the whole retry schedule.
 * Nothing is marked DELIVERED without a broker acknowledgement; emits are retried with backoff without spending
 * attempts, so nothing goes DEAD; once the broker is back every message is emitted.
 */
@Timeout(300)
class AtLeastOnceKafkaDownIT {

    /** Attempts before DEAD: the outage lasts more retry rounds than this. */
    private static final int MAX_ATTEMPTS = 3;

    @TempDir
    Path dir;
    private EmbeddedKafkaServer broker;
    private ServerProcess server;

    private EmbeddedKafkaServer startBroker(int port, int controllerPort) {
        return KafkaOutage.startBroker(dir, port, controllerPort);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void atLeastOnce_messagesDueWhileKafkaIsDownAreEmittedWhenItIsBack() throws Exception {
        int kafkaPort = ServerProcess.freePort();
        int controllerPort = ServerProcess.freePort();
        broker = startBroker(kafkaPort, controllerPort);
        server = KafkaOutage.server(dir, kafkaPort,
                // a short schedule, so that the outage below outlasts all of it several times over
                "--delay.core.max-attempts=" + MAX_ATTEMPTS);
        server.start();
        RestClient rest = new RestClient(server.baseUrl());
        // the topic exists and took a record before the outage: a metadata timeout for a topic never delivered to may
        // be a missing topic and rightly spends an attempt (KafkaMessageEmitter), so wait for the warm-up's ack
        String warmUp = rest.submit("warm-up", 0).get("id").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                rest.call("GET", "/api/v1/messages/" + warmUp, null).body().get("state").asText().equals("DELIVERED"));

        long started = System.currentTimeMillis();
        List<String> ids = new ArrayList<>();
        // one batch: on a loaded machine 200 sequential fsynced submits can take longer than the delay
        StringBuilder batch = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 200; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"topic\":\"demo\",\"payload\":\"outage-").append(i)
                    .append("\",\"delayMs\":6000}");
        }
        RestClient.Response submitted = rest.call("POST", "/api/v1/messages/batch", batch.append("]}").toString());
        assertThat(submitted.status()).as("batch submit: %s", submitted.body()).isIn(200, 201, 207);
        submitted.body().get("results").forEach(r -> ids.add(r.get("id").asText()));
        assertThat(ids).hasSize(200);
        assertThat(System.currentTimeMillis() - started).as("submits finished well before the due time").isLessThan(4_000);
        broker.close();

        // past the due time, with the broker down longer than the whole retry schedule (every message retried more
        // rounds than max-attempts would allow if the outage counted): retried, never DELIVERED, never DEAD
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> retried(server), n -> n >= 200.0 * (MAX_ATTEMPTS + 2));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("hourglass_messages_retried_total stayed at " + retried(server)
                    + "; a message: " + rest.call("GET", "/api/v1/messages/" + ids.get(0), null).body(), e);
        }
        for (String id : ids) {
            RestClient.Response r = rest.call("GET", "/api/v1/messages/" + id, null);
            assertThat(r.body().get("state").asText()).as("no DELIVERED without a broker ack, and not DEAD")
                    .isIn("SCHEDULED", "FIRING");
            // a broker outage is not a message failure: it spends no attempt (docs/architecture.md)
            assertThat(r.body().get("attempts").asInt()).as("%s", r.body()).isLessThanOrEqualTo(1);
        }

        broker = startBroker(kafkaPort, controllerPort); // same port, same log dir
        try (KafkaReader reader = new KafkaReader("127.0.0.1:" + kafkaPort, "demo")) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                reader.poll();
                return reader.byId().keySet().containsAll(ids);
            });
            for (String id : ids) {
                assertThat(reader.byId().get(id)).allSatisfy(s -> assertThat(s.timestamp()).isGreaterThanOrEqualTo(s.deliverAt()));
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (String id : ids) {
                if (!rest.call("GET", "/api/v1/messages/" + id, null).body().get("state").asText().equals("DELIVERED")) {
                    return false;
                }
            }
            return true;
        });
    }

    private static double retried(ServerProcess server) throws Exception {
        String prom = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : prom.split("\n")) {
            if (line.startsWith("hourglass_messages_retried_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
