package io.hourglass.core.cluster;

import io.hourglass.core.cluster.ClusterBackend.Owner;
import io.hourglass.core.spi.Coordinator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The rebalance state machine of {@link ClusterCoordinator} against an in-memory {@link FakeCluster}. */
@Timeout(30)
class ClusterCoordinatorTest {

    private static final int SLOTS = 16;

    private final FakeCluster cluster = new FakeCluster();
    private final List<ClusterCoordinator> coordinators = new ArrayList<>();
    /** slot -> node, according to the listener calls of every node; a second holder is a violation. */
    private final Map<Integer, String> holders = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        coordinators.forEach(ClusterCoordinator::close);
    }

    private final class Recorder implements Coordinator.SlotListener {
        final String node;
        final FakeCluster.Backend backend;
        final List<Set<Integer>> revocations = new CopyOnWriteArrayList<>();
        /** For each revoked slot: was our owner key still there when we were told? (revoke before release) */
        final List<Boolean> keyHeldAtRevoke = new CopyOnWriteArrayList<>();

        Recorder(String node, FakeCluster.Backend backend) {
            this.node = node;
            this.backend = backend;
        }

        @Override
        public void slotsAssigned(Set<Integer> slots) {
            for (int s : slots) {
                String before = holders.putIfAbsent(s, node);
                if (before != null && !before.equals(node)) {
                    violations.add("slot " + s + " assigned to " + node + " while " + before + " holds it");
                }
            }
        }

        @Override
        public void slotsRevoked(Set<Integer> slots) {
            revocations.add(Set.copyOf(slots));
            Map<Integer, Owner> keys = cluster.owners();
            for (int s : slots) {
                holders.remove(s, node);
                Owner o = keys.get(s);
                keyHeldAtRevoke.add(o != null && o.nodeId().equals(node));
            }
        }
    }

    private record Node(ClusterCoordinator coordinator, FakeCluster.Backend backend, Recorder recorder) {
        Set<Integer> owned() {
            return coordinator.ownedSlots();
        }
    }

    private Node start(String id) {
        return start(id, false);
    }

    private Node start(String id, boolean failing) {
        FakeCluster.Backend backend = cluster.backend();
        backend.failing = failing;
        ClusterCoordinator c = new ClusterCoordinator(
                new ClusterSettings(SLOTS, id, "http://" + id, Duration.ofSeconds(1), Duration.ofMillis(50)), backend);
        coordinators.add(c);
        Recorder recorder = new Recorder(id, backend);
        c.start(recorder);
        return new Node(c, backend, recorder);
    }

    private static Set<Integer> union(Node... nodes) {
        Set<Integer> all = new TreeSet<>();
        for (Node n : nodes) {
            all.addAll(n.owned());
        }
        return all;
    }

    @Test
    void aSingleServerOwnsEverySlotAndWritesTheSlotList() {
        Node a = start("a");

        await().until(() -> a.owned().size() == SLOTS);
        assertThat(a.coordinator.writableSlots()).isEqualTo(a.owned());
        assertThat(cluster.owners()).allSatisfy((slot, o) -> assertThat(o.nodeId()).isEqualTo("a"));
        assertThat(a.coordinator.slotCount()).isEqualTo(SLOTS);
        assertThat(a.coordinator.addressOf("a")).contains("http://a");
        assertThat(a.coordinator.ownerOf(3)).contains("a");
    }

    @Test
    void aSecondServerTakesHalfAndNoSlotIsEverHeldTwice() {
        Node a = start("a");
        await().until(() -> a.owned().size() == SLOTS);
        Node b = start("b");

        await().until(() -> a.owned().size() == SLOTS / 2 && b.owned().size() == SLOTS / 2);
        assertThat(union(a, b)).isEqualTo(SlotList.range(SLOTS));
        assertThat(violations).isEmpty();
        assertThat(a.coordinator.ownerOf(b.owned().iterator().next())).contains("b");
        assertThat(a.coordinator.addressOf("b")).contains("http://b");
    }

    @Test
    void aSlotIsRevokedBeforeItsOwnerKeyIsDeleted() {
        Node a = start("a");
        await().until(() -> a.owned().size() == SLOTS);
        start("b");

        await().until(() -> a.owned().size() == SLOTS / 2);
        assertThat(a.recorder.keyHeldAtRevoke).hasSize(SLOTS / 2).containsOnly(true);
    }

    @Test
    void aLostSessionRevokesEverySlotAtOnceThenTheServerRejoins() {
        Node a = start("a");
        Node b = start("b");
        await().until(() -> a.owned().size() == SLOTS / 2 && b.owned().size() == SLOTS / 2);
        Set<Integer> aHad = Set.copyOf(a.owned());

        a.backend.loseSession();

        // synchronously: no await between the loss and these checks
        assertThat(a.owned()).isEmpty();
        assertThat(a.coordinator.writableSlots()).isEmpty();
        assertThat(a.recorder.revocations).last().isEqualTo(aHad);

        a.backend.expire(); // the service expires the old session: its keys and registration go
        await().until(() -> b.owned().size() == SLOTS);
        a.backend.renew();
        await().until(() -> a.owned().size() == SLOTS / 2 && b.owned().size() == SLOTS / 2);
        assertThat(violations).isEmpty();
    }

    @Test
    void aGainedSlotWaitsUntilThePreviousOwnersKeyIsGone() {
        Node a = start("a");
        await().until(() -> a.owned().size() == SLOTS);
        a.backend.loseSession(); // a stops firing, but its keys live on until the service expires them
        Node b = start("b");

        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5)).until(() -> b.owned().isEmpty());
        assertThat(cluster.owners()).hasSize(SLOTS).allSatisfy((slot, o) -> assertThat(o.nodeId()).isEqualTo("a"));

        a.backend.expire();
        await().until(() -> b.owned().size() == SLOTS);
        assertThat(violations).isEmpty();
    }

    @Test
    void slotsDroppedFromTheListStayOwnedButAreNotWritable() {
        Node a = start("a");
        Node b = start("b");
        await().until(() -> union(a, b).size() == SLOTS);

        cluster.putSlotList("0,1,2,3,4,5,6,7");

        await().until(() -> a.coordinator.slotCount() == 8 && b.coordinator.slotCount() == 8);
        await().until(() -> {
            Set<Integer> writable = new TreeSet<>(a.coordinator.writableSlots());
            writable.addAll(b.coordinator.writableSlots());
            return writable.equals(SlotList.range(8));
        });
        assertThat(union(a, b)).isEqualTo(SlotList.range(SLOTS));
        assertThat(cluster.everListed()).isEqualTo(SlotList.format(SlotList.range(SLOTS)));

        cluster.putSlotList(SlotList.format(SlotList.range(24)));

        await().until(() -> union(a, b).equals(SlotList.range(24)));
        await().until(() -> a.coordinator.writableSlots().size() + b.coordinator.writableSlots().size() == 24);
        assertThat(cluster.everListed()).isEqualTo(SlotList.format(SlotList.range(24)));
        assertThat(violations).isEmpty();
    }

    @Test
    void aMalformedSlotListIsIgnored() {
        Node a = start("a");
        await().until(() -> a.owned().size() == SLOTS);

        cluster.putSlotList("0,1,two");

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> a.owned().size() == SLOTS && a.coordinator.writableSlots().size() == SLOTS);
        assertThat(a.coordinator.slotCount()).isEqualTo(SLOTS);
    }

    @Test
    void closeRevokesReleasesAndLetsTheOthersTakeOverAtOnce() {
        Node a = start("a");
        Node b = start("b");
        await().until(() -> a.owned().size() == SLOTS / 2 && b.owned().size() == SLOTS / 2);

        a.coordinator.close();

        assertThat(a.owned()).isEmpty();
        assertThat(a.recorder.revocations).isNotEmpty();
        assertThat(cluster.owners().values()).noneMatch(o -> o.nodeId().equals("a"));
        await().until(() -> b.owned().size() == SLOTS);
        assertThat(b.coordinator.addressOf("a")).isEmpty();
        assertThat(violations).isEmpty();
    }

    @Test
    void anOwnerKeyDeletedBehindOurBackIsRevokedAndClaimedAgain() throws Exception {
        Node a = start("a");
        await().until(() -> a.owned().size() == SLOTS);

        a.backend.releaseOwner(a.backend.session, 5, "a"); // as an operator's etcdctl del would

        await().until(() -> a.recorder.revocations.stream().anyMatch(r -> r.contains(5)));
        await().until(() -> a.owned().size() == SLOTS);
        assertThat(cluster.owners().get(5).nodeId()).isEqualTo("a");
    }

    @Test
    void failedBackendOperationsAreRetried() {
        Node a = start("a", true);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> a.owned().isEmpty());

        a.backend.failing = false;

        await().until(() -> a.owned().size() == SLOTS);
    }
}
