package io.hourglass.core.cluster;

import io.hourglass.protocol.tck.CoordinatorContract;
import io.hourglass.protocol.tck.ServiceLink;
import org.junit.jupiter.api.AfterAll;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory {@link FakeCluster} that the core's coordinator tests run on, held to the contract etcd and ZooKeeper
 * pass. The fake has no clock of its own (the core's tests drive sessions by hand); here the service's part is
 * played as a real one behaves: a backend whose link is frozen reports its session lost after a third of the TTL
 * (it cannot renew), the service expires that session after the TTL; a cut is noticed at once; a stopped service
 * loses every session. Namespaces are separate fake clusters.
 */
class FakeClusterCoordinatorContractTest extends CoordinatorContract {

    private static final ScheduledExecutorService TIMERS = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "fake-service-timer");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, FakeCluster> clusters = new ConcurrentHashMap<>();
    private final Map<String, FakeLink> links = new ConcurrentHashMap<>();
    private final List<Attached> attached = new CopyOnWriteArrayList<>();
    private final AtomicInteger linkIds = new AtomicInteger();

    private record Attached(FakeCluster cluster, FakeCluster.Backend backend, Duration ttl) {
    }

    @AfterAll
    static void stopTimers() {
        TIMERS.shutdownNow();
    }

    private FakeCluster cluster(String namespace) {
        return clusters.computeIfAbsent(namespace, n -> new FakeCluster());
    }

    @Override
    protected String serviceHostPort() {
        return "fake-service:0";
    }

    @Override
    protected ServiceLink newLink() {
        FakeLink link = new FakeLink("fake-link-" + linkIds.incrementAndGet() + ":0");
        links.put(link.hostPort(), link);
        return link;
    }

    @Override
    protected ClusterBackend newBackend(String namespace, ClusterSettings settings, String hostPort) {
        FakeCluster cluster = cluster(namespace);
        FakeCluster.Backend backend = cluster.backend();
        Attached a = new Attached(cluster, backend, settings.ttl());
        attached.add(a);
        FakeLink link = links.get(hostPort);
        if (link != null) {
            link.attached = a;
        }
        return backend;
    }

    @Override
    protected void operatorPut(String namespace, String path, String value) {
        if (ClusterPaths.SLOT_LIST.equals(path)) {
            cluster(namespace).putSlotList(value);
        } else if (ClusterPaths.isAnnouncement(path)) {
            cluster(namespace).putAnnouncement(path, value);
        } else {
            throw new UnsupportedOperationException("the fake's operator writes the slot list and announcements: " + path);
        }
    }

    @Override
    protected String operatorGet(String namespace, String path) {
        FakeCluster c = cluster(namespace);
        if (ClusterPaths.SLOT_LIST.equals(path)) {
            return c.slotList();
        }
        if (ClusterPaths.EVER_LISTED.equals(path)) {
            return c.everListed();
        }
        if (path.startsWith(ClusterPaths.OWNERS + "/")) {
            ClusterBackend.Owner o = c.owners().get(Integer.parseInt(path.substring(ClusterPaths.OWNERS.length() + 1)));
            return o == null ? null : o.nodeId();
        }
        if (path.startsWith(ClusterPaths.SERVERS + "/")) {
            return c.member(path.substring(ClusterPaths.SERVERS.length() + 1));
        }
        if (ClusterPaths.isAnnouncement(path)) {
            String a = c.announcement(path);
            return a == null ? null : a.substring(0, a.lastIndexOf('@'));
        }
        throw new UnsupportedOperationException("no such key in the fake: " + path);
    }

    @Override
    protected void deleteNamespace(String namespace) {
        clusters.remove(namespace);
    }

    /** The service goes down: every backend is disconnected and reports its session lost; the sessions expire. */
    @Override
    protected void stopService() {
        for (Attached a : attached) {
            if (a.backend().events != null && a.backend().session != 0) {
                a.backend().disconnect();
                long s = a.backend().session;
                a.backend().loseSession();
                a.cluster().expireSession(s);
            }
        }
    }

    /** The service is back: every backend reconnects with a new session and reloads its views. */
    @Override
    protected void startService() {
        for (Attached a : attached) {
            if (a.backend().events != null && !a.backend().connected) {
                a.backend().reconnect(true);
            }
        }
    }

    /** The fake's part of a {@link org.junit.jupiter.api.Test}'s TcpProxy: one backend's connection. */
    private final class FakeLink implements ServiceLink {
        private final String hostPort;
        volatile Attached attached;
        private volatile boolean lost;

        FakeLink(String hostPort) {
            this.hostPort = hostPort;
        }

        @Override
        public String hostPort() {
            return hostPort;
        }

        /** Hung: after a third of the TTL without renewal the backend reports its session lost, after the TTL the
         * service expires it. */
        @Override
        public void freeze() {
            Attached a = attached;
            a.backend().disconnect();
            long s = a.backend().session;
            long ttl = a.ttl().toMillis();
            TIMERS.schedule(() -> {
                if (!a.backend().connected && a.backend().session == s) {
                    lost = true;
                    a.backend().loseSession();
                }
            }, ttl / 3, TimeUnit.MILLISECONDS);
            TIMERS.schedule(() -> a.cluster().expireSession(s), ttl, TimeUnit.MILLISECONDS);
        }

        /** Reset: the backend notices at once and reports its session lost; the service expires it after the TTL. */
        @Override
        public void cut() {
            Attached a = attached;
            a.backend().disconnect();
            long s = a.backend().session;
            lost = true;
            a.backend().loseSession();
            TIMERS.schedule(() -> a.cluster().expireSession(s), a.ttl().toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void restore() {
            Attached a = attached;
            if (a != null && !a.backend().connected) {
                a.backend().reconnect(lost);
                lost = false;
            }
        }

        @Override
        public void close() {
            links.remove(hostPort);
        }
    }
}
