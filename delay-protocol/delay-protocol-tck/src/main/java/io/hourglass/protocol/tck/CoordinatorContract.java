package io.hourglass.protocol.tck;

import io.hourglass.core.cluster.ClusterBackend;
import io.hourglass.core.cluster.ClusterCoordinator;
import io.hourglass.core.cluster.ClusterPaths;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.core.cluster.SlotList;
import io.hourglass.core.spi.AppChangeBus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract every cluster coordinator passes, run against the real coordination service ({@code EtcdCoordinatorTest},
 * {@code ZkCoordinatorTest}): {@link ClusterCoordinator} over the module's {@link ClusterBackend}. Each test has a
 * namespace of its own on the shared server; failures of one server are made with a {@link ServiceLink} (a
 * {@link TcpProxy}) between it and the service, failures of the service by the module's {@link #stopService()} and
 * {@link #startService()}. delay-test-support holds the in-memory {@code FakeCluster} of the core's tests to it too.
 *
 * <p>Small TTL ({@value #TTL_SECONDS} s) and rebalance delay so that the suite is quick; waits are Awaitility
 * conditions, never a fixed sleep, and every test has a timeout. Figures (how long a crashed server's slots stayed
 * unowned) are logged, never asserted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class CoordinatorContract {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorContract.class);
    protected static final int SLOTS = 16;
    protected static final int TTL_SECONDS = 3;
    protected static final Duration REBALANCE_DELAY = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofSeconds(60);

    /** The test's own namespace: a token such as {@code tck-1a2b3c4d} (no slash). */
    protected String namespace;
    protected OwnershipLedger ledger;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    // -------------------------------------------------------------------------------------------- what a module gives

    /** Host:port of the real service. */
    protected abstract String serviceHostPort();

    /** A link of one server to the service that the test can freeze, cut and restore: a {@link TcpProxy}. */
    protected ServiceLink newLink() throws Exception {
        String[] hp = serviceHostPort().split(":");
        return new TcpProxy(hp[0], Integer.parseInt(hp[1]));
    }

    /** Takes the whole coordination service down (a clean stop of the real server: scripts/lib/services.sh). */
    protected abstract void stopService() throws Exception;

    /** Brings the service back after {@link #stopService()}, on the same data and port. */
    protected abstract void startService() throws Exception;

    /** A backend for one server, connecting to {@code hostPort} (the service or a proxy), inside {@code namespace}. */
    protected abstract ClusterBackend newBackend(String namespace, ClusterSettings settings, String hostPort);

    /** Writes {@code path} (a {@link ClusterPaths} path) as an operator would (etcdctl put, zkCli set). */
    protected abstract void operatorPut(String namespace, String path, String value) throws Exception;

    /** Reads {@code path} as an operator would; null when absent. */
    protected abstract String operatorGet(String namespace, String path) throws Exception;

    /** Removes everything under {@code namespace} (after the test). */
    protected abstract void deleteNamespace(String namespace) throws Exception;

    // ------------------------------------------------------------------------------------------------------ fixture

    @BeforeEach
    void newNamespace(TestInfo info) {
        namespace = "tck-" + UUID.randomUUID().toString().substring(0, 8);
        ledger = new OwnershipLedger();
        log.info("{}: namespace {}", info.getDisplayName(), namespace);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed", toClose.get(i), e);
            }
        }
        deleteNamespace(namespace);
    }

    /** One server of the test; {@code changes} records what its app change subscribers were told. */
    protected record Node(String id, ClusterCoordinator coordinator, ServiceLink proxy, AppChangeRecorder changes) {
        Set<Integer> owned() {
            return coordinator.ownedSlots();
        }

        AppChangeBus bus() {
            return coordinator.appChangeBus();
        }
    }

    protected Node start(String id) throws Exception {
        return start(id, Duration.ofSeconds(TTL_SECONDS), false);
    }

    protected Node start(String id, Duration ttl, boolean viaProxy) throws Exception {
        ServiceLink proxy = null;
        String hostPort = serviceHostPort();
        if (viaProxy) {
            proxy = newLink();
            toClose.add(proxy);
            hostPort = proxy.hostPort();
        }
        ClusterSettings settings = new ClusterSettings(SLOTS, id, "http://" + id + ".test:8080", ttl, REBALANCE_DELAY);
        ClusterCoordinator c = new ClusterCoordinator(settings, newBackend(namespace, settings, hostPort));
        toClose.add(c);
        AppChangeRecorder changes = new AppChangeRecorder();
        c.appChangeBus().subscribe(changes);
        c.start(ledger.listenerFor(id));
        return new Node(id, c, proxy, changes);
    }

    protected static Set<Integer> union(Node... nodes) {
        Set<Integer> all = new TreeSet<>();
        for (Node n : nodes) {
            all.addAll(n.owned());
        }
        return all;
    }

    protected static Set<Integer> writableUnion(Node... nodes) {
        Set<Integer> all = new TreeSet<>();
        for (Node n : nodes) {
            all.addAll(n.coordinator.writableSlots());
        }
        return all;
    }

    private static boolean evenSplit(Node a, Node b) {
        return a.owned().size() == SLOTS / 2 && b.owned().size() == SLOTS / 2
                && union(a, b).equals(SlotList.range(SLOTS));
    }

    /**
     * Samples two servers' owned sets until stopped and records any slot both held at once: a slot seen in b's set
     * and in a's set both before and after it counts (a release and a claim between two reads is not an overlap).
     */
    private static final class OverlapSampler implements AutoCloseable {
        final List<String> overlaps = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        OverlapSampler(Node a, Node b) {
            thread = new Thread(() -> {
                while (running.get()) {
                    check(a, b);
                    check(b, a);
                    LockSupport.parkNanos(100_000); // 0.1 ms: dense sampling without taking a core
                }
            }, "tck-overlap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void check(Node x, Node y) {
            Set<Integer> x1 = x.owned();
            Set<Integer> y1 = y.owned();
            Set<Integer> x2 = x.owned();
            for (int slot : y1) {
                if (x1.contains(slot) && x2.contains(slot)) {
                    overlaps.add("slot " + slot + " owned by " + x.id() + " and " + y.id());
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }

    // ----------------------------------------------------------------------------------------------------- tests

    @Test
    void oneServerOwnsEverySlotThenASecondTakesHalfAndNoSlotIsEverOwnedTwice() throws Exception {
        Node a = start("node-a");
        await().atMost(LONG).until(() -> a.owned().equals(SlotList.range(SLOTS)));
        assertThat(a.coordinator().writableSlots()).isEqualTo(SlotList.range(SLOTS));
        assertThat(operatorGet(namespace, ClusterPaths.SLOT_LIST)).isEqualTo(SlotList.format(SlotList.range(SLOTS)));
        assertThat(operatorGet(namespace, ClusterPaths.owner(0))).isEqualTo("node-a");
        assertThat(operatorGet(namespace, ClusterPaths.server("node-a"))).isEqualTo("http://node-a.test:8080");

        Node b = start("node-b");
        OverlapSampler sampler = new OverlapSampler(a, b);
        try (sampler) {
            await().atMost(LONG).until(() -> evenSplit(a, b));
        }
        assertThat(sampler.overlaps).isEmpty();
        assertThat(ledger.violations()).isEmpty();
        int bSlot = b.owned().iterator().next();
        await().atMost(LONG).until(() -> a.coordinator().ownerOf(bSlot).equals(java.util.Optional.of("node-b")));
        assertThat(a.coordinator().addressOf("node-b")).contains("http://node-b.test:8080");
        assertThat(b.coordinator().addressOf("node-a")).contains("http://node-a.test:8080");
        assertThat(b.coordinator().ownerOf(bSlot)).contains("node-b");
    }

    @Test
    void aClosedServersSlotsAreTakenOverWellBeforeTheTtl() throws Exception {
        Duration ttl = Duration.ofSeconds(20);
        Node a = start("node-a", ttl, false);
        Node b = start("node-b", ttl, false);
        await().atMost(LONG).until(() -> evenSplit(a, b));

        long t0 = System.nanoTime();
        b.coordinator().close();

        assertThat(b.owned()).isEmpty();
        // the TTL is 20 s: only an explicit release (keys deleted, lease revoked / session closed) gets here in time
        await().atMost(ttl.dividedBy(2)).until(() -> a.owned().equals(SlotList.range(SLOTS)));
        log.info("FIGURE leave: a closed server's slots were re-owned after {} ms (ttl {} s, rebalance delay {} ms)",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), ttl.toSeconds(), REBALANCE_DELAY.toMillis());
        assertThat(a.coordinator().addressOf("node-b")).isEmpty();
        assertThat(operatorGet(namespace, ClusterPaths.server("node-b"))).isNull();
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void aCrashedServerStopsFiringBeforeItsLeaseExpiresAndItsSlotsMoveAfterwards() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b", Duration.ofSeconds(TTL_SECONDS), true);
        await().atMost(LONG).until(() -> evenSplit(a, b));
        Set<Integer> bHad = Set.copyOf(b.owned());

        long t0 = System.nanoTime();
        b.proxy().freeze(); // b hangs: no renewal reaches the service, b is not told anything

        await().atMost(LONG).until(() -> b.owned().isEmpty());
        long fencedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        await().atMost(LONG).until(() -> a.owned().equals(SlotList.range(SLOTS)));
        long movedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        for (int slot : bHad) {
            OptionalLong revoked = ledger.revokedAt("node-b", slot, t0);
            OptionalLong taken = ledger.takenOverAt("node-b", slot, t0);
            assertThat(revoked).as("slot %d revoked on b", slot).isPresent();
            assertThat(taken).as("slot %d taken over", slot).isPresent();
            assertThat(revoked.getAsLong()).as("b stops firing slot %d before a starts", slot)
                    .isLessThan(taken.getAsLong());
        }
        assertThat(fencedMs).as("b fenced itself before its lease/session could expire (ttl %d s)", TTL_SECONDS)
                .isLessThan(TimeUnit.SECONDS.toMillis(TTL_SECONDS));
        log.info("FIGURE crash: ttl {} s, rebalance delay {} ms: the hung server stopped firing after {} ms, its {} slots"
                + " were re-owned after {} ms", TTL_SECONDS, REBALANCE_DELAY.toMillis(), fencedMs, bHad.size(), movedMs);

        b.proxy().restore(); // b comes back: new lease/session, rejoins
        await().atMost(LONG).until(() -> evenSplit(a, b));
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void whileTheServiceIsDownEveryServerRevokesThenAllRejoinAndCoverEverySlot() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        await().atMost(LONG).until(() -> evenSplit(a, b));

        try {
            stopService();
            await().atMost(LONG).until(() -> a.owned().isEmpty() && b.owned().isEmpty());
        } finally {
            startService();
        }

        await().atMost(LONG).until(() -> evenSplit(a, b));
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void aGrownSlotListAddsSlotsAndAShrunkOneKeepsTheDroppedOwnedButNotWritable() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        await().atMost(LONG).until(() -> evenSplit(a, b));

        operatorPut(namespace, ClusterPaths.SLOT_LIST, SlotList.format(SlotList.range(24)));

        await().atMost(LONG).until(() -> union(a, b).equals(SlotList.range(24))
                && writableUnion(a, b).equals(SlotList.range(24))
                && Math.abs(a.owned().size() - b.owned().size()) <= 1);
        await().atMost(LONG).until(() -> SlotList.format(SlotList.range(24))
                .equals(operatorGet(namespace, ClusterPaths.EVER_LISTED)));

        operatorPut(namespace, ClusterPaths.SLOT_LIST, "0,1,2,3,4,5,6,7");

        await().atMost(LONG).until(() -> writableUnion(a, b).equals(SlotList.range(8))
                && a.coordinator().slotCount() == 8 && b.coordinator().slotCount() == 8);
        assertThat(union(a, b)).as("dropped slots keep being owned so that their messages drain")
                .isEqualTo(SlotList.range(24));
        assertThat(operatorGet(namespace, ClusterPaths.EVER_LISTED)).isEqualTo(SlotList.format(SlotList.range(24)));

        operatorPut(namespace, ClusterPaths.SLOT_LIST, "0,1,oops");

        await().during(Duration.ofSeconds(1)).atMost(LONG).until(() -> writableUnion(a, b).equals(SlotList.range(8))
                && union(a, b).equals(SlotList.range(24)));
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void twoServersClaimingTheSameSlotExactlyOneWins() throws Exception {
        Map<String, Long> sessions = new ConcurrentHashMap<>();
        ClusterBackend x = startBackend("node-x", sessions);
        ClusterBackend y = startBackend("node-y", sessions);
        await().atMost(LONG).until(() -> sessions.size() == 2);
        long sx = sessions.get("node-x");
        long sy = sessions.get("node-y");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int slot = 0; slot < SLOTS; slot++) {
                CountDownLatch go = new CountDownLatch(1);
                int s = slot;
                Future<Boolean> fx = pool.submit(() -> {
                    go.await();
                    return x.claimOwner(sx, s, "node-x");
                });
                Future<Boolean> fy = pool.submit(() -> {
                    go.await();
                    return y.claimOwner(sy, s, "node-y");
                });
                go.countDown();
                boolean wonX = fx.get(30, TimeUnit.SECONDS);
                boolean wonY = fy.get(30, TimeUnit.SECONDS);
                assertThat(wonX ^ wonY).as("exactly one claim of slot %d wins (x=%s, y=%s)", s, wonX, wonY).isTrue();
                String winner = wonX ? "node-x" : "node-y";
                assertThat(operatorGet(namespace, ClusterPaths.owner(s))).isEqualTo(winner);

                // the loser cannot take or delete it; the winner's second claim is idempotent
                ClusterBackend loser = wonX ? y : x;
                long loserSession = wonX ? sy : sx;
                String loserId = wonX ? "node-y" : "node-x";
                assertThat(loser.claimOwner(loserSession, s, loserId)).isFalse();
                loser.releaseOwner(loserSession, s, loserId);
                assertThat(operatorGet(namespace, ClusterPaths.owner(s))).isEqualTo(winner);
                assertThat((wonX ? x : y).claimOwner(wonX ? sx : sy, s, winner)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aChangeMadeWhileAServerWasDisconnectedIsSeenAfterItReconnects() throws Exception {
        Node a = start("node-a", Duration.ofSeconds(TTL_SECONDS), true);
        await().atMost(LONG).until(() -> a.owned().equals(SlotList.range(SLOTS)));

        a.proxy().cut();
        operatorPut(namespace, ClusterPaths.SLOT_LIST, SlotList.format(SlotList.range(20)));
        a.proxy().restore();

        await().atMost(LONG).until(() -> a.coordinator().slotCount() == 20
                && a.owned().equals(SlotList.range(20)) && a.coordinator().writableSlots().equals(SlotList.range(20)));
        assertThat(ledger.violations()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ app change bus

    /** How soon an announced app change must reach every server. */
    private static final Duration ANNOUNCED_WITHIN = Duration.ofSeconds(2);

    @Test
    void anAppChangeAnnouncedOnOneServerReachesEveryServerWithinTwoSeconds() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        await().atMost(LONG).until(() -> evenSplit(a, b));

        for (int round = 0; round < 3; round++) {
            for (Node[] pair : new Node[][] {{a, b}, {b, a}}) {
                Node from = pair[0];
                Node to = pair[1];
                String app = "app-" + from.id() + "-" + round;
                long t0 = System.nanoTime();
                from.bus().publish(app);

                assertThat(from.changes().keysSince(t0)).as("the publisher's own subscribers, at once").contains(app);
                await().atMost(ANNOUNCED_WITHIN).until(() -> to.changes().keysSince(t0).contains(app));
                // ... and its own once more, through the key it watches like every other server
                await().atMost(ANNOUNCED_WITHIN)
                        .until(() -> from.changes().keysSince(t0).stream().filter(app::equals).count() == 2);
                log.info("FIGURE announce: {} -> {} after {} ms", from.id(), to.id(),
                        TimeUnit.NANOSECONDS.toMillis(to.changes().firstCovering(app, t0).getAsLong() - t0));
            }
        }
        assertThat(operatorGet(namespace, ClusterPaths.APP_CHANGED)).endsWith(":app-node-b-2");
        assertThat(a.changes().keys()).as("nothing was missed: no drop-all after the first load")
                .containsOnlyOnce(AppChangeBus.ALL);
    }

    /**
     * What is guaranteed for changes made back to back: not one call per change, but that a server that re-reads an
     * app each time it is told of it (or re-reads all on {@link AppChangeBus#ALL}) ends with the last version, and
     * that it is told after the last change was announced.
     */
    @Test
    void quickSuccessiveChangesEndWithEveryServerToldAfterTheLastOne() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        await().atMost(LONG).until(() -> evenSplit(a, b));
        Map<String, Integer> store = new ConcurrentHashMap<>(); // what the app store holds
        Map<String, Integer> bCache = new ConcurrentHashMap<>(); // what b's app cache holds
        b.bus().subscribe(app -> {
            if (AppChangeBus.ALL.equals(app)) {
                bCache.putAll(store);
            } else if (store.containsKey(app)) {
                bCache.put(app, store.get(app));
            }
        });

        // the same app, changed 20 times back to back
        long lastPublish = 0;
        for (int version = 1; version <= 20; version++) {
            store.put("app-x", version);
            lastPublish = System.nanoTime();
            a.bus().publish("app-x");
        }
        long last = lastPublish;
        await().atMost(ANNOUNCED_WITHIN).until(() -> Integer.valueOf(20).equals(bCache.get("app-x")));
        await().atMost(ANNOUNCED_WITHIN).until(() -> b.changes().firstCovering("app-x", last).isPresent());

        // ten apps, changed back to back: none may be missed (several seen as one come as ALL)
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            store.put("app-" + i, 1);
            a.bus().publish("app-" + i);
        }
        await().atMost(ANNOUNCED_WITHIN).until(() -> {
            for (int i = 0; i < 10; i++) {
                if (!Integer.valueOf(1).equals(bCache.get("app-" + i))) {
                    return false;
                }
            }
            return true;
        });
        log.info("FIGURE announce: 10 apps back to back reached b as {}", b.changes().keysSince(t0));
    }

    @Test
    void afterTheServiceWasDownEveryServerIsToldToDropEveryApp() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b");
        await().atMost(LONG).until(() -> evenSplit(a, b));

        long fenced;
        try {
            stopService();
            await().atMost(LONG).until(() -> a.owned().isEmpty() && b.owned().isEmpty());
            fenced = System.nanoTime();
            a.bus().publish("app-during-outage"); // cannot be written now: retried until it can
            assertThat(a.changes().keysSince(fenced)).contains("app-during-outage");
        } finally {
            startService();
        }

        await().atMost(LONG).until(() -> a.changes().keysSince(fenced).contains(AppChangeBus.ALL)
                && b.changes().keysSince(fenced).contains(AppChangeBus.ALL));
        await().atMost(LONG).until(() -> String.valueOf(operatorGet(namespace, ClusterPaths.APP_CHANGED))
                .endsWith(":app-during-outage"));
        await().atMost(LONG).until(() -> b.changes().firstCovering("app-during-outage", fenced).isPresent());

        await().atMost(LONG).until(() -> evenSplit(a, b));
        long t0 = System.nanoTime();
        a.bus().publish("app-after");
        await().atMost(ANNOUNCED_WITHIN).until(() -> b.changes().firstCovering("app-after", t0).isPresent());
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void aServerCutOffWhileAnAppChangedIsToldToDropEveryAppWhenItIsBack() throws Exception {
        Node a = start("node-a");
        Node b = start("node-b", Duration.ofSeconds(TTL_SECONDS), true);
        await().atMost(LONG).until(() -> evenSplit(a, b));

        b.proxy().freeze();
        await().atMost(LONG).until(() -> b.owned().isEmpty());
        long frozen = System.nanoTime();
        a.bus().publish("app-missed");
        await().atMost(LONG).until(() -> String.valueOf(operatorGet(namespace, ClusterPaths.APP_CHANGED))
                .endsWith(":app-missed"));
        assertThat(b.changes().keysSince(frozen)).doesNotContain("app-missed");

        b.proxy().restore();

        await().atMost(LONG).until(() -> b.changes().keysSince(frozen).contains(AppChangeBus.ALL));
        await().atMost(LONG).until(() -> evenSplit(a, b));
        long t0 = System.nanoTime();
        a.bus().publish("app-after");
        await().atMost(ANNOUNCED_WITHIN).until(() -> b.changes().firstCovering("app-after", t0).isPresent());
        assertThat(ledger.violations()).isEmpty();
    }

    @Test
    void everyWriteOfAnAnnouncementKeyIsReportedEvenOfTheSameValueAndVersionsNeverGoBack() throws Exception {
        Map<String, Long> sessions = new ConcurrentHashMap<>();
        List<String> xSaw = new CopyOnWriteArrayList<>();
        List<String> ySaw = new CopyOnWriteArrayList<>();
        ClusterBackend x = startBackend("node-x", sessions, xSaw);
        ClusterBackend y = startBackend("node-y", sessions, ySaw);
        await().atMost(LONG).until(() -> xSaw.contains("null@0 loaded") && ySaw.contains("null@0 loaded"));

        x.announce(ClusterPaths.APP_CHANGED, "1:same");
        await().atMost(ANNOUNCED_WITHIN).until(() -> ySaw.contains("1:same@1") && xSaw.contains("1:same@1"));
        x.announce(ClusterPaths.APP_CHANGED, "1:same"); // the same value again is a write of its own
        await().atMost(ANNOUNCED_WITHIN).until(() -> ySaw.contains("1:same@2") && xSaw.contains("1:same@2"));
        assertThat(operatorGet(namespace, ClusterPaths.APP_CHANGED)).isEqualTo("1:same");

        y.announce(ClusterPaths.APP_CHANGED, "2:a");
        x.announce(ClusterPaths.APP_CHANGED, "3:b"); // back to back: may be reported as one (version 4)
        await().atMost(ANNOUNCED_WITHIN).until(() -> ySaw.contains("3:b@4") && xSaw.contains("3:b@4"));
        for (List<String> saw : List.of(xSaw, ySaw)) {
            List<Long> versions = saw.stream().map(r -> Long.parseLong(r.replaceAll("^.*@(\\d+).*$", "$1"))).toList();
            assertThat(versions).as("%s", saw).isSorted();
        }
        assertThat(ySaw).as("a write is reported once").doesNotHaveDuplicates();
    }

    /** A bare backend that records its current session, for primitive-level checks. */
    private ClusterBackend startBackend(String id, Map<String, Long> sessions) {
        return startBackend(id, sessions, new CopyOnWriteArrayList<>());
    }

    /** ... and each announcement it reports, as {@code value@version} (+ {@code " loaded"} when reloaded). */
    private ClusterBackend startBackend(String id, Map<String, Long> sessions, List<String> announced) {
        ClusterSettings settings = new ClusterSettings(SLOTS, id, "http://" + id, Duration.ofSeconds(TTL_SECONDS),
                REBALANCE_DELAY);
        ClusterBackend backend = newBackend(namespace, settings, serviceHostPort());
        toClose.add(backend);
        backend.start(new ClusterBackend.Events() {
            @Override
            public void sessionStarted(long session) {
                sessions.put(id, session);
            }

            @Override
            public void sessionLost(long session, String reason) {
                sessions.remove(id, session);
            }

            @Override
            public void membersChanged(Map<String, String> members) {
            }

            @Override
            public void slotListChanged(String csv) {
            }

            @Override
            public void everListedChanged(String csv) {
            }

            @Override
            public void ownersChanged(Map<Integer, ClusterBackend.Owner> owners) {
            }

            @Override
            public void announced(String path, String value, long version, boolean reloaded) {
                if (ClusterPaths.APP_CHANGED.equals(path)) {
                    announced.add(value + "@" + version + (reloaded ? " loaded" : ""));
                }
            }
        });
        return backend;
    }
}
