package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Guarantee 1: acknowledged means durable, across a SIGKILL of the whole standalone server. */
@Timeout(300)
class AcknowledgedIsDurableIT {

    @TempDir
    Path dir;

    @Test
    void acknowledgedIsDurable_everyAcknowledgedMessageIsEmittedAfterKill9AndRestart() throws Exception {
        int kafkaPort = ServerProcess.freePort();
        ServerProcess server = ServerProcess.standalone(dir, kafkaPort).start();
        RestClient rest = new RestClient(server.baseUrl());
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            // 16 clients submit as fast as they can; the server is killed while they are still at it
            List<Future<?>> clients = new java.util.ArrayList<>();
            for (int c = 0; c < 16; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        try {
                            JsonNode created = rest.submit("durable-" + client + "-" + i, 2_000 + (i % 1_000));
                            acknowledged.add(created.get("id").asText());
                        } catch (Exception e) {
                            return; // the server is gone
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 2_000);
            server.kill9();
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> acked = Set.copyOf(acknowledged);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(2_000);

        server.start(); // same data directory, same Kafka log dir
        try (KafkaReader reader = new KafkaReader("127.0.0.1:" + kafkaPort, "demo")) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                reader.poll();
                return reader.byId().keySet().containsAll(acked);
            });
            for (String id : acked) {
                for (KafkaReader.Seen s : reader.byId().get(id)) {
                    assertThat(s.timestamp()).as("never early: %s", id).isGreaterThanOrEqualTo(s.deliverAt());
                }
            }
        } finally {
            server.stop();
        }
    }
}
