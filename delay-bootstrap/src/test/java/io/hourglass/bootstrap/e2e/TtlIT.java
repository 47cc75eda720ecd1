package io.hourglass.bootstrap.e2e;

import io.hourglass.message.kafka.embedded.EmbeddedKafkaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Message TTL against the packaged server: Kafka is down past a message's TTL; when it is back the message is
 * EXPIRED, never on its topic, and its copy with reason {@code expired} is on the dead-letter topic.
 */
@Timeout(300)
class TtlIT {

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
    void aMessageWhoseTargetIsDownPastItsTtlEndsExpiredAndIsNeverEmitted() throws Exception {
        int kafkaPort = ServerProcess.freePort();
        int controllerPort = ServerProcess.freePort();
        broker = startBroker(kafkaPort, controllerPort);
        server = KafkaOutage.server(dir, kafkaPort);
        server.start();
        RestClient rest = new RestClient(server.baseUrl());
        // both topics took a record before the outage (see AtLeastOnceKafkaDownIT)
        String warmUp = rest.submit("warm-up", 0).get("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> state(rest, warmUp).equals("DELIVERED"));
        broker.close();

        RestClient.Response submitted = rest.call("POST", "/api/v1/messages",
                "{\"topic\":\"demo\",\"payload\":\"short-lived\",\"delayMs\":500,\"ttlMs\":3000}");
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
        String id = submitted.body().get("id").asText();
        RestClient.Response lasting = rest.call("POST", "/api/v1/messages",
                "{\"topic\":\"demo\",\"payload\":\"lasting\",\"delayMs\":500}");
        String lastingId = lasting.body().get("id").asText();
        assertThat(rest.call("GET", "/api/v1/messages/" + id, null).body().get("expiresAt").asLong())
                .isEqualTo(submitted.body().get("deliverAt").asLong() - 500 + 3000);
        Thread.sleep(6_000); // past the TTL, Kafka still down

        broker = startBroker(kafkaPort, controllerPort);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
                state(rest, id).equals("EXPIRED") && state(rest, lastingId).equals("DELIVERED"));
        try (KafkaReader topic = new KafkaReader("127.0.0.1:" + kafkaPort, "demo");
             KafkaReader dlq = new KafkaReader("127.0.0.1:" + kafkaPort, "demo.DLQ")) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                topic.poll();
                dlq.poll();
                return topic.byId().containsKey(lastingId) && dlq.byId().containsKey(id);
            });
            assertThat(topic.byId()).as("an expired message is never emitted").doesNotContainKey(id);
            assertThat(dlq.byId().get(id).get(0).headers()).containsEntry("x-delay-dead-reason", "expired")
                    .containsEntry("x-delay-original-topic", "demo");
        }
    }

    private static String state(RestClient rest, String id) throws Exception {
        return rest.call("GET", "/api/v1/messages/" + id, null).body().get("state").asText();
    }
}
