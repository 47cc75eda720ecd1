package io.hourglass.core.cluster;

import io.hourglass.core.cluster.ClusterBackend.Owner;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory coordination service for unit tests of {@link ClusterCoordinator}: keys bound to sessions, views
 * pushed to every backend after each change, and test controls to lose, expire and renew a backend's session.
 * Announcement keys are versioned as in etcd (1 on create, +1 per write, 0 absent); every write is reported to every
 * started backend unless the test holds the reports back ({@link #holdAnnouncements}), to coalesce writes as a
 * ZooKeeper watch may.
 */
final class FakeCluster {

    private record Member(String address, long session) {
    }

    private final Map<String, Member> members = new TreeMap<>();
    private final Map<Integer, Owner> owners = new TreeMap<>();
    private String slotList;
    private String everListed;
    private final List<Backend> backends = new CopyOnWriteArrayList<>();
    private final AtomicLong sessions = new AtomicLong(0x100);

    private record Announcement(String value, long version) {
    }

    private final Map<String, Announcement> announcements = new TreeMap<>();
    /** Every write of an announcement key, in order (path=value). */
    private final List<String> announceLog = new CopyOnWriteArrayList<>();
    private boolean holdAnnouncements;

    Backend backend() {
        return new Backend();
    }

    synchronized Map<Integer, Owner> owners() {
        return Map.copyOf(owners);
    }

    synchronized String everListed() {
        return everListed;
    }

    /** The slot list as stored, or null. */
    synchronized String slotList() {
        return slotList;
    }

    /** The address registered for {@code nodeId}, or null. */
    synchronized String member(String nodeId) {
        Member m = members.get(nodeId);
        return m == null ? null : m.address();
    }

    /** The service expires {@code session} (its TTL ran out without renewal): its keys vanish. */
    synchronized void expireSession(long session) {
        endSession(session);
    }

    /** Every write of an announcement key so far, as {@code path=value}. */
    List<String> announceLog() {
        return List.copyOf(announceLog);
    }

    /** The stored announcement: value and version, or null. */
    synchronized String announcement(String path) {
        Announcement a = announcements.get(path);
        return a == null ? null : a.value() + "@" + a.version();
    }

    /**
     * While held, writes of announcement keys are stored but not reported; on release the latest state of each key
     * written meanwhile is reported once (several writes seen as one, as a ZooKeeper watch can).
     */
    synchronized void holdAnnouncements(boolean hold) {
        boolean release = holdAnnouncements && !hold;
        holdAnnouncements = hold;
        if (release) {
            announcements.forEach((path, a) -> backends.forEach(b -> b.reportAnnouncement(path, a, false)));
        }
    }

    /** An operator deletes an announcement key. */
    synchronized void deleteAnnouncement(String path) {
        announcements.remove(path);
        if (!holdAnnouncements) {
            backends.forEach(b -> b.reportAnnouncement(path, null, false));
        }
    }

    /** An operator writes an announcement key (etcdctl put). */
    synchronized void putAnnouncement(String path, String value) {
        Announcement before = announcements.get(path);
        Announcement a = new Announcement(value, before == null ? 1 : before.version() + 1);
        announcements.put(path, a);
        announceLog.add(path + "=" + value);
        if (!holdAnnouncements) {
            backends.forEach(b -> b.reportAnnouncement(path, a, false));
        }
    }

    /** What an operator does with etcdctl put. */
    synchronized void putSlotList(String csv) {
        slotList = csv;
        publish();
    }

    private void publish() {
        Map<String, String> m = new TreeMap<>();
        members.forEach((k, v) -> m.put(k, v.address()));
        for (Backend b : backends) {
            if (b.events != null && b.connected) {
                b.events.membersChanged(m);
                b.events.slotListChanged(slotList);
                b.events.everListedChanged(everListed);
                b.events.ownersChanged(Map.copyOf(owners));
            }
        }
    }

    /** Removes every key of a session, as the service does when it ends. */
    private void endSession(long session) {
        members.values().removeIf(v -> v.session() == session);
        owners.values().removeIf(o -> o.session() == session);
        publish();
    }

    final class Backend implements ClusterBackend {
        volatile Events events;
        volatile long session;
        volatile boolean failing;
        /** False while cut off the service ({@link #disconnect()}): it sees no change, every call fails. */
        volatile boolean connected = true;
        /** Announcement writes fail (service unreachable for them). */
        volatile boolean announceFailing;
        final AtomicInteger announceFailures = new AtomicInteger();

        @Override
        public void start(Events events) {
            synchronized (FakeCluster.this) {
                this.events = events;
                backends.add(this);
                session = sessions.incrementAndGet();
                events.sessionStarted(session);
                publish();
                reload();
            }
        }

        /** Reports every announcement key as loaded (first load, or as after a reopened watch). */
        void reload() {
            synchronized (FakeCluster.this) {
                if (!announcements.containsKey(ClusterPaths.APP_CHANGED)) {
                    reportAnnouncement(ClusterPaths.APP_CHANGED, null, true);
                }
                announcements.forEach((path, a) -> reportAnnouncement(path, a, true));
            }
        }

        void reportAnnouncement(String path, Announcement a, boolean reloaded) {
            Events ev = events;
            if (ev != null && connected) {
                ev.announced(path, a == null ? null : a.value(), a == null ? 0 : a.version(), reloaded);
            }
        }

        @Override
        public void announce(String path, String value) throws Exception {
            if (failing || announceFailing || !connected) {
                announceFailures.incrementAndGet();
                throw new java.io.IOException("service unreachable (test)");
            }
            putAnnouncement(path, value);
        }

        private void check(long s) throws Exception {
            if (failing || !connected) {
                throw new java.io.IOException("service unreachable (test)");
            }
            if (s != session || s == 0) {
                throw new IllegalStateException("session " + s + " is not current");
            }
        }

        @Override
        public void register(long s, String nodeId, String address) throws Exception {
            synchronized (FakeCluster.this) {
                check(s);
                members.put(nodeId, new Member(address, s));
                publish();
            }
        }

        @Override
        public void createSlotListIfAbsent(String csv) throws Exception {
            synchronized (FakeCluster.this) {
                check(session);
                if (slotList == null) {
                    slotList = csv;
                    publish();
                }
            }
        }

        @Override
        public void recordEverListed(Set<Integer> slots) throws Exception {
            synchronized (FakeCluster.this) {
                check(session);
                Set<Integer> all = new TreeSet<>(slots);
                if (everListed != null) {
                    all.addAll(SlotList.parse(everListed));
                }
                everListed = SlotList.format(all);
                publish();
            }
        }

        @Override
        public boolean claimOwner(long s, int slot, String nodeId) throws Exception {
            synchronized (FakeCluster.this) {
                check(s);
                Owner mine = new Owner(nodeId, s);
                Owner o = owners.putIfAbsent(slot, mine);
                publish();
                return o == null || o.equals(mine);
            }
        }

        @Override
        public void releaseOwner(long s, int slot, String nodeId) throws Exception {
            synchronized (FakeCluster.this) {
                check(s);
                if (owners.remove(slot, new Owner(nodeId, s))) {
                    publish();
                }
            }
        }

        @Override
        public void close() {
            synchronized (FakeCluster.this) {
                long s = session;
                session = 0;
                backends.remove(this);
                endSession(s);
            }
        }

        /** The backend can no longer renew: it reports the loss; its keys stay until {@link #expire()}. */
        void loseSession() {
            long s = session;
            events.sessionLost(s, "test");
        }

        /** The service expires the session: its keys vanish. */
        void expire() {
            synchronized (FakeCluster.this) {
                long s = session;
                session = 0;
                endSession(s);
            }
        }

        /**
         * The connection to the service is gone (a partition, a hung process, the service down): no change reaches
         * this backend, every call fails; its session and keys stay until {@link #loseSession()} / {@link #expire()}
         * or {@link FakeCluster#expireSession}.
         */
        void disconnect() {
            connected = false;
        }

        /**
         * Connected again: with a new session when {@code newSession} (the old one was reported lost), then the
         * current views and every announcement key as reloaded (writes made meanwhile were missed).
         */
        void reconnect(boolean newSession) {
            synchronized (FakeCluster.this) {
                connected = true;
                if (newSession) {
                    renew();
                } else {
                    publish();
                }
                reload();
            }
        }

        /** A new session, as after a reconnect. */
        void renew() {
            synchronized (FakeCluster.this) {
                session = sessions.incrementAndGet();
                events.sessionStarted(session);
                publish();
            }
        }
    }
}
