package io.hourglass.bootstrap.e2e;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead-letter topic, redrive and replay against the packaged server and its Kafka: a record the topic refuses for
 * good (too large for it) goes DEAD, its copy with the reason is on {@code demo.DLQ}; once the topic takes it, a
 * redrive delivers it to its topic exactly once; a replay of the delivered message puts it on the topic again with
 * {@code x-delay-replay: true}.
 */
@Timeout(300)
class DeadLetterIT {

    @TempDir
    Path dir;
    private ServerProcess server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aMessageRefusedForGoodIsOnTheDeadLetterTopicWithItsReasonRedriveDeliversItOnceAndReplayAgain() throws Exception {
        int kafkaPort = ServerProcess.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        server = ServerProcess.standalone(dir, kafkaPort).start();
        RestClient rest = new RestClient(server.baseUrl());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // the server created the bootstrap app's topic and its dead-letter topic at start
            assertThat(admin.listTopics().names().get()).contains("demo", "demo.DLQ");
            // "demo" takes records of at most 1 KiB: the message below is refused for good (record too large)
            maxMessageBytes(admin, "demo", 1024);

            String payload = randomText(8_000); // random: lz4 cannot shrink it under 1 KiB
            RestClient.Response submitted = rest.call("POST", "/api/v1/messages",
                    "{\"topic\":\"demo\",\"key\":\"order-7\",\"payload\":\"" + payload
                            + "\",\"headers\":{\"tenant\":\"acme\"},\"delayMs\":0}");
            assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(201);
            String id = submitted.body().get("id").asText();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    state(rest, id).equals("DEAD"));
            try (KafkaReader dlq = new KafkaReader(bootstrap, "demo.DLQ")) {
                readUntil(dlq, () -> dlq.byId().containsKey(id));
                KafkaReader.Seen copy = dlq.byId().get(id).get(0);
                assertThat(copy.value()).isEqualTo(payload);
                assertThat(copy.key()).isEqualTo("order-7");
                assertThat(copy.headers()).containsEntry("tenant", "acme")
                        .containsEntry("x-delay-dead-reason", "permanent-failure")
                        .containsEntry("x-delay-original-topic", "demo")
                        .containsEntry("x-delay-attempts", "1");
                assertThat(copy.headers().get("x-delay-last-error")).contains("RecordTooLarge");
            }

            // the topic is fixed; redrive sends the message to it again
            maxMessageBytes(admin, "demo", 1_048_576);
            RestClient.Response redriven = rest.call("POST", "/api/v1/messages/" + id + "/redrive", null);
            assertThat(redriven.status()).as("%s", redriven.body()).isEqualTo(200);
            assertThat(redriven.body().get("attempts").asInt()).isZero();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    state(rest, id).equals("DELIVERED"));
            try (KafkaReader topic = new KafkaReader(bootstrap, "demo")) {
                readUntil(topic, () -> topic.byId().containsKey(id));
                Thread.sleep(1_000); // anything more would have arrived by now
                topic.poll();
                assertThat(topic.byId().get(id)).as("redrive delivers it once").hasSize(1);
                assertThat(topic.byId().get(id).get(0).value()).isEqualTo(payload);
            }
            // replay: the delivered message is emitted again, marked as a replay, and stays DELIVERED
            RestClient.Response replayed = rest.call("POST", "/api/v1/messages/" + id + "/replay", null);
            assertThat(replayed.status()).as("%s", replayed.body()).isEqualTo(200);
            assertThat(replayed.body().get("state").asText()).isEqualTo("DELIVERED");
            try (KafkaReader topic = new KafkaReader(bootstrap, "demo")) {
                readUntil(topic, () -> topic.byId().getOrDefault(id, List.of()).size() >= 2);
                List<KafkaReader.Seen> seen = topic.byId().get(id);
                assertThat(seen).hasSize(2);
                assertThat(seen.get(0).headers()).doesNotContainKey("x-delay-replay");
                assertThat(seen.get(1).headers()).containsEntry("x-delay-replay", "true")
                        .containsEntry("x-delay-id", id).containsEntry("tenant", "acme");
                assertThat(seen.get(1).value()).isEqualTo(payload);
                assertThat(seen.get(1).key()).isEqualTo("order-7");
            }
            assertThat(state(rest, id)).isEqualTo("DELIVERED");
            assertThat(rest.call("POST", "/api/v1/messages/" + id + "/redrive", null).status())
                    .as("only a DEAD message is redriven").isEqualTo(409);
            assertThat(admin.listTopics().names().get()).doesNotContain("demo.DLQ.DLQ");
        }
    }

    static void maxMessageBytes(Admin admin, String topic, int bytes) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(bytes)),
                        AlterConfigOp.OpType.SET)))).all().get();
    }

    private static String state(RestClient rest, String id) throws Exception {
        return rest.call("GET", "/api/v1/messages/" + id, null).body().get("state").asText();
    }

    private static void readUntil(KafkaReader reader, Callable<Boolean> done) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            reader.poll();
            return done.call();
        });
    }

    static String randomText(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
