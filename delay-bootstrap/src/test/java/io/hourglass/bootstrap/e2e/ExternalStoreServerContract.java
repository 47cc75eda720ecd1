package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged server on a production store (MariaDB, Cassandra) with a real Kafka broker process: submit, cancel
 * and reschedule through REST, records read back from Kafka, and a SIGKILL of the server under load. Subclasses say
 * which profile and which store settings (a database or keyspace of the test's own).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
abstract class ExternalStoreServerContract {

    @TempDir
    static Path dir;
    ServerProcess server;
    RestClient rest;
    KafkaReader reader;

    /** The Spring profile of the store: mysql or cassandra. */
    abstract String profile();

    /** Arguments that point the server at the test's own database or keyspace. */
    abstract List<String> storeArgs() throws Exception;

    /** Drops the test's database or keyspace. */
    abstract void dropStore() throws Exception;

    @BeforeAll
    void startServer() throws Exception {
        List<String> args = new ArrayList<>(storeArgs());
        args.add(AdminApiScenario.ADMIN_ARG);
        server = ServerProcess.external(dir, profile(), args.toArray(String[]::new)).start();
        rest = new RestClient(server.baseUrl());
        reader = new KafkaReader(TestService.KAFKA.address(), "demo");
    }

    @AfterAll
    void stopServer() throws Exception {
        if (reader != null) {
            reader.close();
        }
        if (server != null) {
            server.stop();
        }
        dropStore();
    }

    void readUntil(Duration atMost, Callable<Boolean> done) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            reader.poll();
            return done.call();
        });
    }

    @Test
    void submitCancelRescheduleEndToEnd_cancelWinsRescheduleWinsNeverEarly() throws Exception {
        List<String> cancelled = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        List<String> untouched = new ArrayList<>();
        // one batch request, so that the slowest store has the messages in before the first falls due
        StringBuilder batch = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 150; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"topic\":\"demo\",\"payload\":\"").append(profile()).append('-')
                    .append(i).append("\",\"delayMs\":").append(15_000 + ThreadLocalRandom.current().nextLong(1_000)).append('}');
        }
        RestClient.Response submitted = rest.call("POST", "/api/v1/messages/batch", batch.append("]}").toString());
        assertThat(submitted.status()).as("batch submit: %s", submitted.body()).isIn(200, 201, 207);
        int i = 0;
        for (JsonNode result : submitted.body().get("results")) {
            String id = result.get("id").asText();
            (i % 3 == 0 ? cancelled : i % 3 == 1 ? moved : untouched).add(id);
            i++;
        }
        assertThat(i).isEqualTo(150);
        for (String id : cancelled) {
            RestClient.Response r = rest.call("DELETE", "/api/v1/messages/" + id, null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().get("state").asText()).isEqualTo("CANCELLED");
        }
        Map<String, Long> newDue = new HashMap<>();
        for (String id : moved) {
            RestClient.Response r = rest.call("PATCH", "/api/v1/messages/" + id, "{\"delayMs\":20000}");
            assertThat(r.status()).isEqualTo(200);
            newDue.put(id, r.body().get("deliverAt").asLong());
        }
        readUntil(Duration.ofSeconds(60), () -> reader.byId().keySet().containsAll(untouched)
                && reader.byId().keySet().containsAll(moved));
        long until = System.currentTimeMillis() + 1_500; // give the cancelled ones a chance to (wrongly) fire
        readUntil(Duration.ofSeconds(10), () -> System.currentTimeMillis() > until);

        Map<String, List<KafkaReader.Seen>> seen = reader.byId();
        assertThat(cancelled).as("cancel wins").noneMatch(seen::containsKey);
        for (String id : moved) {
            for (KafkaReader.Seen s : seen.get(id)) {
                assertThat(s.deliverAt()).as("reschedule wins").isEqualTo(newDue.get(id));
                assertThat(s.timestamp()).as("reschedule wins: not at the old time").isGreaterThanOrEqualTo(newDue.get(id));
            }
        }
        for (String id : untouched) {
            for (KafkaReader.Seen s : seen.get(id)) {
                assertThat(s.timestamp()).as("never early").isGreaterThanOrEqualTo(s.deliverAt());
            }
        }
        String delivered = untouched.get(0);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                rest.call("GET", "/api/v1/messages/" + delivered, null).body().get("state").asText().equals("DELIVERED"));
        JsonNode cancelledView = rest.call("GET", "/api/v1/messages/" + cancelled.get(0), null).body();
        assertThat(cancelledView.get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void adminApi_appsTopicsQuotasSearchBulkCancelRotationAudit() throws Exception {
        new AdminApiScenario(server.baseUrl()).run();
    }

    @Test
    void acknowledgedIsDurable_serverKilledUnderLoadLosesNothing() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(pool.submit(() -> {
                while (!stop.get()) {
                    try {
                        acknowledged.add(rest.submit("kill", ThreadLocalRandom.current().nextLong(500, 5_000)).get("id").asText());
                    } catch (Exception e) {
                        return null; // the server is gone: what it acknowledged so far is what must survive
                    }
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 300);
        server.kill9();
        stop.set(true);
        for (Future<?> f : clients) {
            f.get();
        }
        pool.shutdownNow();
        Set<String> mustFire = Set.copyOf(acknowledged);
        server.start();
        readUntil(Duration.ofSeconds(120), () -> reader.byId().keySet().containsAll(mustFire));
        for (String id : mustFire) {
            for (KafkaReader.Seen s : reader.byId().get(id)) {
                assertThat(s.timestamp()).as("never early").isGreaterThanOrEqualTo(s.deliverAt());
            }
        }
    }
}
