package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.hourglass.testsupport.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster of server processes (separate JVMs) on one MariaDB database, a coordination service (etcd or ZooKeeper)
 * and the Kafka broker process, under continuous load with cancels and reschedules: one server is killed with
 * SIGKILL, a fourth joins, the slot list grows. A checker reading Kafka proves 0 acknowledged messages lost, 0
 * emitted early, 0 cancelled messages emitted; it reports duplicates and the time from the kill to the dead server's
 * slots firing again (target/cluster-&lt;coordinator&gt;.txt, quoted in docs/benchmarks.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
abstract class ClusterContract {

    static final int SLOTS = 16;
    /** At least 32 bytes, or the server refuses to start (docs/security.md). */
    static final String TOKEN = "cluster-test-token-0123456789abcdef";
    /** Lease / session TTL and rebalance delay of the servers; -D to measure failover with other values (docs). */
    static final String TTL = System.getProperty("hourglass.cluster.ttl", "4s");
    static final String REBALANCE_DELAY = System.getProperty("hourglass.cluster.rebalance-delay", "500ms");

    @TempDir
    static Path dir;
    final String namespace = "hgtest" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private MariaDbTestDatabase database;
    final List<ServerProcess> servers = new CopyOnWriteArrayList<>();
    /**
     * Ids whose cancel or reschedule got no answer (the server died with the request in flight): it may or may not
     * have been applied. Such a cancel is not acknowledged, so the message is neither required nor forbidden on
     * Kafka; such a message is checked against the due time its record carries rather than the last one answered.
     */
    private final Set<String> unanswered = ConcurrentHashMap.newKeySet();
    /** Server base URL -> ids it acknowledged. */
    private final Map<String, Set<String>> ackedBy = new ConcurrentHashMap<>();
    /**
     * One client per server, reused: a new HttpClient per request costs a selector thread and connection set-up
     * each, CPU that the servers (and a joining server's start) need on 2 shared cores.
     */
    private final Map<String, RestClient> clients = new ConcurrentHashMap<>();
    KafkaReader reader;

    /** delay.protocol.type. */
    abstract String type();

    /** delay.protocol.etcd.* or delay.protocol.zookeeper.* (endpoints and namespace) for the servers. */
    abstract List<String> coordinatorArgs();

    /** Writes the cluster's slot list (what an operator does with etcdctl or zkCli). */
    abstract void writeSlotList(String csv) throws Exception;

    @BeforeAll
    void startCluster() throws Exception {
        database = MariaDbTestDatabase.create("hourglass_cluster_", 8);
        reader = new KafkaReader(TestService.KAFKA.address(), "demo");
        for (int i = 1; i <= 3; i++) {
            servers.add(newServer("n" + i).start());
        }
        awaitSlotsCovered(SLOTS);
    }

    @AfterAll
    void stopCluster() throws Exception {
        for (ServerProcess s : servers) {
            s.stop();
        }
        // keep the servers' logs for a failed run's diagnosis (the temporary directory is deleted after the class)
        Path logs = Path.of("target", "cluster-logs-" + type());
        Files.createDirectories(logs);
        try (var nodes = Files.list(dir)) {
            for (Path node : nodes.toList()) {
                Path log = node.resolve("server.log");
                if (Files.exists(log)) {
                    Files.copy(log, logs.resolve(node.getFileName() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (reader != null) {
            reader.close();
        }
        if (database != null) {
            database.close();
        }
    }

    ServerProcess newServer(String nodeId) throws IOException {
        int port = ServerProcess.freePort();
        int internalPort = ServerProcess.freePort();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                // cluster mode: actuator and /internal/** each on a port of their own (defaults 9090 / 9091: several
                // servers share this host)
                "--management.server.port=" + ServerProcess.freePort(),
                "--delay.protocol.internal-port=" + internalPort,
                "--spring.profiles.active=mysql",
                "--spring.kafka.bootstrap-servers=" + TestService.KAFKA.address(),
                "--delay.protocol.type=" + type(),
                "--delay.protocol.slot-count=" + SLOTS,
                "--delay.protocol.node-id=" + nodeId,
                "--delay.protocol.ttl=" + TTL,
                "--delay.protocol.rebalance-delay=" + REBALANCE_DELAY,
                "--delay.protocol.advertised-address=http://127.0.0.1:" + internalPort,
                "--delay.protocol.internal-token=" + TOKEN,
                // claims of a killed server are handed back after this long (default 60 s)
                "--delay.core.claim-timeout=10s"));
        args.addAll(database.serverArgs());
        args.addAll(coordinatorArgs());
        return new ServerProcess(dir.resolve(nodeId), port, args);
    }

    /** Waits until the live servers together own {@code expected} slots, none twice. */
    void awaitSlotsCovered(int expected) {
        await("slots covered by the live servers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> servers.stream().filter(ServerProcess::alive).mapToInt(ClusterContract::ownedSlots).sum() == expected);
    }

    static int ownedSlots(ServerProcess s) {
        try {
            RestClient.Response r = new RestClient(s.managementUrl()).call("GET", "/actuator/metrics/hourglass.slots.owned", null);
            return r.status() == 200 ? r.body().get("measurements").get(0).get("value").asInt() : -1000;
        } catch (Exception e) {
            return -1000;
        }
    }

    /**
     * Cluster mode keeps actuator and the internal endpoint off the API port, and the internal port serves nothing
     * else (routing itself is proven by the load test: its cancels and reschedules reach other servers' slots).
     */
    @Test
    void managementAndInternalEndpointsAreNotOnTheApiPort() throws Exception {
        ServerProcess s = servers.get(0);
        RestClient api = new RestClient(s.baseUrl());
        assertThat(api.call("GET", "/actuator/prometheus", null).status()).isEqualTo(404);
        assertThat(api.call("GET", "/actuator/metrics", null).status()).isEqualTo(404);
        assertThat(new RestClient(s.managementUrl()).call("GET", "/actuator/metrics", null).status()).isEqualTo(200);
        assertThat(api.call("GET", "/readyz", null).status()).isEqualTo(200);

        RestClient.Response internalOnApi = api.call("GET", "/internal/v1/messages/1", null);
        assertThat(internalOnApi.status()).isEqualTo(404);
        assertThat(internalOnApi.body().path("type").asText()).endsWith("/not-found");

        String internalBase = s.args().stream().filter(a -> a.startsWith("--delay.protocol.advertised-address="))
                .map(a -> a.substring(a.indexOf('=') + 1)).findFirst().orElseThrow();
        RestClient internal = new RestClient(internalBase);
        assertThat(internal.call("GET", "/api/v1/messages/1", null).status()).isEqualTo(404);
        // the internal endpoint itself answers there (without the token: 401, not the port's 404)
        assertThat(internal.call("GET", "/internal/v1/messages/1", null).status()).isEqualTo(401);
    }

    @Test
    void killAddAndResizeUnderLoad_noAcknowledgedMessageLostNoneEarlyNoCancelledEmitted() throws Exception {
        Map<String, Long> acknowledged = new ConcurrentHashMap<>(); // id -> deliverAt now in force
        Set<String> cancelled = ConcurrentHashMap.newKeySet();
        AtomicLong failedCalls = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(pool.submit(() -> load(acknowledged, cancelled, failedCalls, stop)));
        }
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 300);

            // 1. kill -9 one server
            ServerProcess victim = servers.get(1);
            Set<Integer> victimSlots = slotsOfMessagesFrom(victim);
            victim.kill9();
            long killedAt = System.currentTimeMillis(); // after the process is gone: nothing later is the victim's
            awaitSlotsCovered(SLOTS);
            long recoveredAt = System.currentTimeMillis();
            int before = acknowledged.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 300);

            // 2. a fourth server joins
            servers.add(newServer("n4").start());
            awaitSlotsCovered(SLOTS);
            int before2 = acknowledged.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before2 + 300);

            // 3. the operator grows the slot list
            writeSlotList(IntStream.range(0, 2 * SLOTS).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            awaitSlotsCovered(2 * SLOTS);
            int before3 = acknowledged.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before3 + 300);

            stop.set(true);
            for (Future<?> f : clients) {
                f.get();
            }

            // the checker
            Map<String, Long> mustFire = Map.copyOf(acknowledged);
            Set<String> mustNotFire = Set.copyOf(cancelled);
            try {
                await("every acknowledged, not cancelled message emitted").atMost(Duration.ofSeconds(180))
                        .pollInterval(Duration.ofMillis(100)).until(() -> {
                            reader.poll();
                            return reader.byId().keySet().containsAll(mustFire.keySet());
                        });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("acknowledged messages not emitted: " + describeMissing(mustFire.keySet()), e);
            }
            long settle = System.currentTimeMillis() + 3_000;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                reader.poll();
                return System.currentTimeMillis() > settle;
            });
            Map<String, List<KafkaReader.Seen>> seen = reader.byId();
            long early = 0;
            long duplicates = 0;
            for (Map.Entry<String, Long> e : mustFire.entrySet()) {
                List<KafkaReader.Seen> records = seen.get(e.getKey());
                duplicates += records.size() - 1;
                for (KafkaReader.Seen s : records) {
                    boolean earlyForTheAnsweredTime = !unanswered.contains(e.getKey()) && s.timestamp() < e.getValue();
                    if (earlyForTheAnsweredTime || s.timestamp() < s.deliverAt()) {
                        early++;
                    }
                }
            }
            long cancelledEmitted = mustNotFire.stream().filter(seen::containsKey).count();
            long lost = mustFire.keySet().stream().filter(id -> !seen.containsKey(id)).count();
            // records of the dead server's slots due after the kill: only a new owner can have emitted them
            List<KafkaReader.Seen> takenOver = seen.values().stream().flatMap(List::stream)
                    .filter(s -> victimSlots.contains(slotOf(s.id())) && s.deliverAt() > killedAt).toList();
            long firstFireOfVictimSlotsAfterKill = takenOver.stream().mapToLong(KafkaReader.Seen::timestamp).min()
                    .orElse(-1);
            long worstLatenessOfTakenOver = takenOver.stream().mapToLong(s -> s.timestamp() - s.deliverAt()).max()
                    .orElse(-1);
            String report = String.format(
                    "coordinator=%s servers=3(+1) slots=%d->%d ttl=%s rebalance-delay=%s%n"
                            + "acknowledged=%d cancelled=%d unanswered changes=%d lost=%d early=%d cancelledEmitted=%d duplicates=%d failedCalls=%d%n"
                            + "kill->slots re-owned=%d ms, kill->first fire of the dead server's slots=%d ms,"
                            + " worst lateness of their messages due after the kill=%d ms%n",
                    type(), SLOTS, 2 * SLOTS, TTL, REBALANCE_DELAY, mustFire.size(), mustNotFire.size(), unanswered.size(), lost, early, cancelledEmitted,
                    duplicates, failedCalls.get(), recoveredAt - killedAt,
                    firstFireOfVictimSlotsAfterKill < 0 ? -1 : firstFireOfVictimSlotsAfterKill - killedAt,
                    worstLatenessOfTakenOver);
            System.out.print(report);
            Files.writeString(Path.of("target", "cluster-" + type() + "-ttl" + TTL + ".txt"), report);

            assertThat(lost).as("acknowledged messages lost").isZero();
            assertThat(early).as("messages emitted early").isZero();
            assertThat(cancelledEmitted).as("cancelled messages emitted").isZero();
            assertThat(firstFireOfVictimSlotsAfterKill).as("the dead server's slots fire again").isPositive();
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /** The messages not seen on Kafka, as a live server reads them (state, slot, due time), for the failure message. */
    private String describeMissing(Set<String> mustFire) {
        Set<String> seen = reader.byId().keySet();
        List<String> missing = mustFire.stream().filter(id -> !seen.contains(id)).sorted().toList();
        ServerProcess live = servers.stream().filter(ServerProcess::alive).findFirst().orElseThrow();
        RestClient rest = new RestClient(live.baseUrl());
        StringBuilder out = new StringBuilder(missing.size() + " of " + mustFire.size() + "; first ones:");
        for (String id : missing.subList(0, Math.min(20, missing.size()))) {
            String state;
            try {
                JsonNode body = rest.call("GET", "/api/v1/messages/" + id, null).body();
                state = body.path("state").asText() + " deliverAt=" + body.path("deliverAt").asLong()
                        + " attempts=" + body.path("attempts").asInt();
            } catch (Exception e) {
                state = "unreadable: " + e;
            }
            out.append("\n  ").append(id).append(" slot=").append(slotOf(id)).append(' ').append(state);
        }
        return out.append("\n(server logs: ").append(dir).append("/n*/server.log, kept in target/cluster-logs-")
                .append(type()).append(')').toString();
    }

    /** A client: submits to a random live server, cancels about 1 in 8 and re-times about 1 in 8 of its messages. */
    private Void load(Map<String, Long> acknowledged, Set<String> cancelled, AtomicLong failed, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<String> mine = new ArrayList<>();
        while (!stop.get()) {
            List<ServerProcess> live = servers.stream().filter(ServerProcess::alive).toList();
            RestClient rest = clients.computeIfAbsent(live.get(random.nextInt(live.size())).baseUrl(), RestClient::new);
            String changing = null; // the id a cancel or reschedule in flight is about
            boolean cancelling = false;
            try {
                int dice = random.nextInt(8);
                if (dice == 0 && !mine.isEmpty()) {
                    String id = mine.remove(random.nextInt(mine.size()));
                    changing = id;
                    cancelling = true;
                    RestClient.Response r = rest.call("DELETE", "/api/v1/messages/" + id, null);
                    if (r.status() == 200) {
                        cancelled.add(id);
                        acknowledged.remove(id);
                    } else if (r.status() >= 500) {
                        markUnanswered(id, true, acknowledged);
                    }
                } else if (dice == 1 && !mine.isEmpty()) {
                    String id = mine.get(random.nextInt(mine.size()));
                    changing = id;
                    RestClient.Response r = rest.call("PATCH", "/api/v1/messages/" + id,
                            "{\"delayMs\":" + random.nextLong(1_000, 6_000) + "}");
                    if (r.status() == 200) {
                        acknowledged.put(id, r.body().get("deliverAt").asLong());
                    } else if (r.status() >= 500) {
                        markUnanswered(id, false, acknowledged);
                    }
                } else {
                    JsonNode body = rest.submit("cluster", random.nextLong(500, 6_000));
                    String id = body.get("id").asText();
                    acknowledged.put(id, body.get("deliverAt").asLong());
                    ackedBy.computeIfAbsent(rest.base(), k -> ConcurrentHashMap.newKeySet()).add(id);
                    mine.add(id);
                    if (mine.size() > 200) {
                        mine.remove(0);
                    }
                }
            } catch (Exception e) {
                failed.incrementAndGet(); // a server going away: try another one
                if (changing != null) {
                    markUnanswered(changing, cancelling, acknowledged);
                }
            }
        }
        return null;
    }

    /**
     * A cancel or reschedule whose outcome is unknown: no answer, or a 5xx (a 409 is definite: the message is firing
     * and will be emitted). A cancel is then not acknowledged, so the message is neither required nor forbidden.
     */
    private void markUnanswered(String id, boolean cancel, Map<String, Long> acknowledged) {
        unanswered.add(id);
        if (cancel) {
            acknowledged.remove(id);
        }
    }

    /** The slots the victim tagged the messages it acknowledged with (a server writes only to slots it owns). */
    private Set<Integer> slotsOfMessagesFrom(ServerProcess victim) {
        Set<Integer> slots = ackedBy.getOrDefault(victim.baseUrl(), Set.of()).stream().map(ClusterContract::slotOf)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(slots).as("slots of the messages the victim acknowledged").isNotEmpty();
        return slots;
    }

    static int slotOf(String id) {
        return (int) ((Long.parseLong(id) >>> 12) & 1023);
    }
}
