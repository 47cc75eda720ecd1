package io.hourglass.message.kafka.embedded;

import io.hourglass.message.kafka.KafkaMessageProperties;
import io.hourglass.message.kafka.TestSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Our embedded KRaft broker: real start, produce, stop, restart on the same data dir. */
class EmbeddedKafkaServerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private final List<EmbeddedKafkaServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(EmbeddedKafkaServer::close);
    }

    private KafkaMessageProperties properties(int port, int controllerPort) {
        return TestSupport.properties(Map.of(
                "embedded-port", String.valueOf(port),
                "embedded-controller-port", String.valueOf(controllerPort),
                "embedded-data-dir", dataDir.resolve("kafka").toString(),
                "embedded-partitions", "3"));
    }

    private EmbeddedKafkaServer start(KafkaMessageProperties properties) {
        EmbeddedKafkaServer server = EmbeddedKafkaServer.start(properties);
        servers.add(server);
        return server;
    }

    @Test
    @Timeout(120)
    void recordsAndClusterIdSurviveARestartOnTheSameDataDir() throws Exception {
        KafkaMessageProperties properties = properties(TestSupport.freePort(), TestSupport.freePort());

        EmbeddedKafkaServer first = start(properties);
        assertThat(first.bootstrapServers()).isEqualTo("127.0.0.1:" + properties.embeddedPort());
        assertThat(Files.exists(dataDir.resolve("kafka/meta.properties"))).isTrue();
        String clusterId = first.clusterId();
        assertThat(describeClusterId(first)).isEqualTo(clusterId);
        try (KafkaProducer<String, String> producer = producer(first)) {
            producer.send(new ProducerRecord<>("durable", "k", "survives restarts")).get(30, TimeUnit.SECONDS);
        }
        // an auto-created topic gets embedded-partitions partitions
        assertThat(partitionCount(first, "durable")).isEqualTo(3);
        first.close();
        assertThat(first.isRunning()).isFalse();

        EmbeddedKafkaServer second = start(properties);

        assertThat(second.clusterId()).isEqualTo(clusterId);
        assertThat(describeClusterId(second)).isEqualTo(clusterId);
        List<ConsumerRecord<byte[], byte[]>> records =
                TestSupport.readAll(second.bootstrapServers(), "durable", 1, WAIT);
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("survives restarts");
    }

    @Test
    @Timeout(120)
    void acknowledgedRecordSurvivesASigkillOfTheBrokerProcess() throws Exception {
        KafkaMessageProperties properties = properties(TestSupport.freePort(), TestSupport.freePort());
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), EmbeddedKafkaMain.class.getName(),
                String.valueOf(properties.embeddedPort()), String.valueOf(properties.embeddedControllerPort()),
                properties.embeddedDataDir())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String clusterId;
        try {
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> readyLine(child));
            await().atMost(WAIT).until(ready::isDone);
            clusterId = ready.get().substring("READY ".length());
            try (KafkaProducer<String, String> producer = producer("127.0.0.1:" + properties.embeddedPort())) {
                producer.send(new ProducerRecord<>("killed", "k", "acked before kill -9")).get(30, TimeUnit.SECONDS);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no clean log close
            child.waitFor(30, TimeUnit.SECONDS);
        }

        EmbeddedKafkaServer restarted = start(properties);

        assertThat(restarted.clusterId()).isEqualTo(clusterId);
        List<ConsumerRecord<byte[], byte[]>> records =
                TestSupport.readAll(restarted.bootstrapServers(), "killed", 1, WAIT);
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("acked before kill -9");
    }

    private static String readyLine(Process child) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("READY ")) {
                    return line;
                }
            }
            throw new IllegalStateException("broker process ended before it was ready");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Timeout(60)
    void takenPortFailsWithAMessageNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            KafkaMessageProperties properties = properties(taken.getLocalPort(), TestSupport.freePort());

            assertThatThrownBy(() -> start(properties))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("delay.message.kafka.embedded-port")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
        assertThat(Files.exists(dataDir.resolve("kafka/meta.properties"))).isFalse();
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaServer server) {
        return producer(server.bootstrapServers());
    }

    private static KafkaProducer<String, String> producer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    private static String describeClusterId(EmbeddedKafkaServer server) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers()))) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    private static int partitionCount(EmbeddedKafkaServer server, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        }
    }
}
