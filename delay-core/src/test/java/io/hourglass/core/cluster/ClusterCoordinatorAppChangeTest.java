package io.hourglass.core.cluster;

import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.Coordinator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The app change bus of {@link ClusterCoordinator} ({@link CoordinatorAppChangeBus}) against {@link FakeCluster}. */
@Timeout(30)
class ClusterCoordinatorAppChangeTest {

    private static final int SLOTS = 8;
    private static final Duration WITHIN = Duration.ofSeconds(2);

    private final FakeCluster cluster = new FakeCluster();
    private final List<ClusterCoordinator> coordinators = new ArrayList<>();

    @AfterEach
    void closeAll() {
        coordinators.forEach(ClusterCoordinator::close);
    }

    private static final Coordinator.SlotListener IGNORE = new Coordinator.SlotListener() {
        @Override
        public void slotsAssigned(Set<Integer> slots) {
        }

        @Override
        public void slotsRevoked(Set<Integer> slots) {
        }
    };

    private record Node(ClusterCoordinator coordinator, FakeCluster.Backend backend, List<String> received) {
        AppChangeBus bus() {
            return coordinator.appChangeBus();
        }
    }

    private Node create(String id) {
        FakeCluster.Backend backend = cluster.backend();
        ClusterCoordinator c = new ClusterCoordinator(
                new ClusterSettings(SLOTS, id, "http://" + id, Duration.ofSeconds(1), Duration.ofMillis(50)), backend);
        coordinators.add(c);
        List<String> received = new CopyOnWriteArrayList<>();
        c.appChangeBus().subscribe(received::add);
        return new Node(c, backend, received);
    }

    private Node start(String id) {
        Node n = create(id);
        n.coordinator.start(IGNORE);
        // the first load tells the subscribers to drop everything (announcements before it were not watched)
        await().atMost(WITHIN).until(() -> n.received.contains(AppChangeBus.ALL));
        n.received.clear();
        return n;
    }

    @Test
    void anAnnouncementReachesEveryServerItsOwnAtOnce() {
        Node a = start("a");
        Node b = start("b");

        a.bus().publish("app-1");

        assertThat(a.received).as("the publisher's own listeners, synchronously").contains("app-1");
        await().atMost(WITHIN).until(() -> b.received.contains("app-1"));
        await().atMost(WITHIN).until(() -> a.received.stream().filter("app-1"::equals).count() == 2); // + the echo
        assertThat(cluster.announceLog()).hasSize(1).first().asString()
                .startsWith(ClusterPaths.APP_CHANGED + "=").endsWith(":app-1");
        assertThat(b.received).doesNotContain(AppChangeBus.ALL);
    }

    @Test
    void successiveAnnouncementsOfTheSameAppAreEachWrittenWithANewValue() {
        Node a = start("a");
        Node b = start("b");

        for (int i = 0; i < 5; i++) {
            a.bus().publish("app-1");
            int n = i + 1;
            await().atMost(WITHIN).until(() -> b.received.size() == n);
        }

        assertThat(b.received).containsOnly("app-1");
        assertThat(cluster.announceLog()).hasSize(5).doesNotHaveDuplicates();
    }

    @Test
    void writesSeenAsOneDropEveryApp() {
        Node a = start("a");
        Node b = start("b");
        cluster.holdAnnouncements(true);

        a.bus().publish("app-1");
        a.bus().publish("app-2");
        await().atMost(WITHIN).until(() -> cluster.announceLog().size() == 2);
        cluster.holdAnnouncements(false);

        // only the last value (app-2) is known: app-1 may have changed too
        await().atMost(WITHIN).until(() -> b.received.contains(AppChangeBus.ALL));
        assertThat(b.received).doesNotContain("app-1");

        b.received.clear();
        a.bus().publish("app-3");
        await().atMost(WITHIN).until(() -> b.received.contains("app-3"));
        assertThat(b.received).containsExactly("app-3");
    }

    @Test
    void aDeletedKeyAnnouncesNothingAndItsRecreationIsAnAnnouncement() {
        Node a = start("a");
        a.bus().publish("app-1");
        await().atMost(WITHIN).until(() -> a.received.size() == 2);
        a.received.clear();

        cluster.deleteAnnouncement(ClusterPaths.APP_CHANGED);
        cluster.putAnnouncement(ClusterPaths.APP_CHANGED, "app-2"); // an operator, with a bare app key

        await().atMost(WITHIN).until(() -> a.received.contains("app-2"));
        assertThat(a.received).containsExactly("app-2");

        cluster.putAnnouncement(ClusterPaths.APP_CHANGED, "*");
        await().atMost(WITHIN).until(() -> a.received.contains(AppChangeBus.ALL));
    }

    @Test
    void aSessionStartedAfterALostOneDropsEveryApp() {
        Node a = start("a");

        a.backend.loseSession();
        a.backend.renew();

        await().atMost(WITHIN).until(() -> a.received.contains(AppChangeBus.ALL));
    }

    @Test
    void aReloadedViewDropsEveryApp() {
        Node a = start("a");
        a.bus().publish("app-1");
        await().atMost(WITHIN).until(() -> a.received.size() == 2);

        a.backend.reload();

        await().atMost(WITHIN).until(() -> a.received.contains(AppChangeBus.ALL));
    }

    @Test
    void aFailedWriteIsRetriedAndTheLocalListenersAreToldAnyway() {
        Node a = start("a");
        Node b = start("b");
        a.backend.announceFailing = true;

        a.bus().publish("app-1");
        a.bus().publish("app-2");

        assertThat(a.received).containsExactly("app-1", "app-2");
        await().during(Duration.ofMillis(500)).atMost(WITHIN).until(() -> b.received.isEmpty());

        a.backend.announceFailing = false;

        await().atMost(WITHIN).until(() -> b.received.containsAll(List.of("app-1", "app-2")));
        assertThat(b.received).containsExactly("app-1", "app-2");
    }

    @Test
    void manyAnnouncementsWaitingCollapseIntoAll() {
        Node a = start("a");
        Node b = start("b");
        a.backend.announceFailing = true;

        for (int i = 0; i <= CoordinatorAppChangeBus.MAX_PENDING; i++) {
            a.bus().publish("app-" + i);
        }
        await().atMost(WITHIN).until(() -> a.backend.announceFailures.get() > 0);
        a.backend.announceFailing = false;

        await().atMost(WITHIN).until(() -> b.received.contains(AppChangeBus.ALL));
        assertThat(cluster.announceLog()).hasSize(1);
    }

    @Test
    void anAnnouncementMadeBeforeTheCoordinatorStartsIsWrittenOnceItCan() {
        Node a = create("a");
        Node b = start("b");
        a.backend.announceFailing = true; // as a ZooKeeper client not started yet

        a.bus().publish("app-1");
        assertThat(a.received).containsExactly("app-1");
        a.backend.announceFailing = false;

        await().atMost(WITHIN).until(() -> b.received.contains("app-1"));
    }

    @Test
    void aFailingListenerDoesNotStopTheOthersAndPublishNeverThrows() {
        Node a = start("a");
        Node b = start("b");
        AtomicInteger called = new AtomicInteger();
        b.bus().subscribe(k -> {
            called.incrementAndGet();
            throw new IllegalStateException("listener failure (test)");
        });
        List<String> after = new CopyOnWriteArrayList<>();
        b.bus().subscribe(after::add);

        a.bus().publish("app-1");
        b.bus().publish("app-2");
        a.bus().publish(null);

        await().atMost(WITHIN).until(() -> after.containsAll(List.of("app-1", "app-2")));
        assertThat(called.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void afterCloseAnAnnouncementIsOnlyLocal() {
        Node a = start("a");
        a.coordinator.close();

        a.bus().publish("app-1");

        assertThat(a.received).containsExactly("app-1");
        assertThat(cluster.announceLog()).isEmpty();
    }

    @Test
    void valuesAreCounterColonAppKeyAndBareKeysAreAccepted() {
        assertThat(CoordinatorAppChangeBus.encode(42, "app-1")).isEqualTo("42:app-1");
        assertThat(CoordinatorAppChangeBus.decode("42:app-1")).isEqualTo("app-1");
        assertThat(CoordinatorAppChangeBus.decode("7:*")).isEqualTo(AppChangeBus.ALL);
        assertThat(CoordinatorAppChangeBus.decode("app-1")).isEqualTo("app-1");
        assertThat(CoordinatorAppChangeBus.decode(" app-1\n")).isEqualTo("app-1");
        assertThat(CoordinatorAppChangeBus.decode("a:b")).isEqualTo("a:b");
        assertThat(CoordinatorAppChangeBus.decode("12:")).isNull();
        assertThat(CoordinatorAppChangeBus.decode("")).isNull();
        assertThat(CoordinatorAppChangeBus.decode(null)).isNull();
    }

    @Test
    void announcementKeysAreTheKeysDirectlyUnderCommon() {
        assertThat(ClusterPaths.isAnnouncement(ClusterPaths.APP_CHANGED)).isTrue();
        assertThat(ClusterPaths.isAnnouncement(ClusterPaths.COMMON)).isFalse();
        assertThat(ClusterPaths.isAnnouncement(ClusterPaths.COMMON + "/")).isFalse();
        assertThat(ClusterPaths.isAnnouncement(ClusterPaths.COMMON + "/x/y")).isFalse();
        assertThat(ClusterPaths.isAnnouncement(ClusterPaths.SLOT_LIST)).isFalse();
    }
}
