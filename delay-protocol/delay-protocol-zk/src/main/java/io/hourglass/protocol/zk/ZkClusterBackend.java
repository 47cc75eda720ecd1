package io.hourglass.protocol.zk;

import io.hourglass.core.cluster.ClusterBackend;
import io.hourglass.core.cluster.ClusterPaths;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.core.cluster.SlotList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@link ClusterBackend} on ZooKeeper (Apache Curator): the session is the ZooKeeper session (timeout = {@code ttl}),
 * registrations and owners are ephemeral nodes, one {@link CuratorCache} on {@code /delay} feeds the views. Everything
 * lives under a Curator namespace ({@code hourglass} by default), so several clusters share one ensemble.
 *
 * <p><b>Fencing.</b> The ZooKeeper client declares itself disconnected when it heard nothing from the server for
 * 2/3 of the negotiated session timeout (it pings every 1/3); Curator reports that as SUSPENDED, and this backend
 * reports the session lost right then — about 1/3 of the timeout before the server can expire the session (the
 * server's clock starts at the last packet it got from us, which is no later than our last answer). LOST is reported
 * too. CONNECTED and RECONNECTED (the same session or a new one) start a session again; nodes of an earlier session of
 * this same node id are then deleted on registration, as an etcd server revokes its old lease.
 *
 * <p><b>Announcements.</b> {@link #announce} sets the data of a persistent node under {@code /delay/common} (creating
 * it if absent); the same cache reports each change with the node's data version + 1. The cache re-reads a node after
 * each watch event, so quick successive writes may be seen as one (the version then jumps, which the coordinator
 * turns into "drop every app"). When the cache has loaded, the announcement nodes are reported as {@code reloaded};
 * a reconnection is reported as a session start (CONNECTED/RECONNECTED), after which the coordinator drops every
 * cached app as well.
 */
public final class ZkClusterBackend implements ClusterBackend {

    private static final Logger log = LoggerFactory.getLogger(ZkClusterBackend.class);
    private static final String SERVERS_PREFIX = ClusterPaths.SERVERS + "/";
    private static final String OWNERS_PREFIX = ClusterPaths.OWNERS + "/";

    private final CuratorFramework client;
    private final CuratorCache cache;
    private final String nodeId;
    private volatile Events events;
    private volatile boolean closed;
    /** The session reported started and not yet reported lost; 0 when none. Written on Curator's state thread. */
    private volatile long session;

    // last published views (guarded by this)
    private Map<String, String> members;
    private Map<Integer, Owner> owners;
    private Optional<String> slotList;
    private Optional<String> everListed;
    private boolean initialized;

    /**
     * @param connect   ZooKeeper connect string ({@code 127.0.0.1:2181,...})
     * @param username  digest user (nodes get creator-only ACLs), or empty for none
     * @param password  its password
     * @param namespace Curator namespace (no slashes at the ends); empty: the root
     */
    public ZkClusterBackend(String connect, String username, String password, String namespace,
                            ClusterSettings settings) {
        this.nodeId = settings.nodeId();
        int ttl = (int) settings.ttl().toMillis();
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(ttl)
                .connectionTimeoutMs(Math.max(1000, Math.min(15_000, ttl)))
                .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 3))
                .namespace(namespace == null || namespace.isEmpty() ? null : namespace);
        if (username != null && !username.isEmpty()) {
            builder.authorization("digest", (username + ":" + Objects.requireNonNullElse(password, ""))
                    .getBytes(StandardCharsets.UTF_8));
            builder.aclProvider(new ACLProvider() {
                @Override
                public List<ACL> getDefaultAcl() {
                    return ZooDefs.Ids.CREATOR_ALL_ACL;
                }

                @Override
                public List<ACL> getAclForPath(String path) {
                    return ZooDefs.Ids.CREATOR_ALL_ACL;
                }
            });
        }
        this.client = builder.build();
        this.cache = CuratorCache.build(client, ClusterPaths.ROOT);
    }

    @Override
    public void start(Events events) {
        this.events = Objects.requireNonNull(events, "events");
        client.getConnectionStateListenable().addListener((c, state) -> onState(state));
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> {
                    ChildData d = data != null ? data : oldData;
                    if (d != null && ClusterPaths.isAnnouncement(d.getPath())) {
                        announcementChanged(d.getPath(), data);
                    } else {
                        publish();
                    }
                })
                .forInitialized(() -> {
                    synchronized (this) {
                        initialized = true;
                    }
                    publish();
                    announcementsLoaded();
                })
                .build());
        client.start();
        cache.start();
    }

    // ----------------------------------------------------------------------------------- session (Curator's thread)

    private void onState(ConnectionState state) {
        if (closed) {
            return;
        }
        switch (state) {
            case CONNECTED, RECONNECTED -> {
                long s;
                try {
                    s = client.getZookeeperClient().getZooKeeper().getSessionId();
                } catch (Exception e) {
                    log.warn("[node={}] no ZooKeeper session id after {}", nodeId, state, e);
                    return;
                }
                long before = session;
                if (before != 0 && before != s) {
                    session = 0;
                    events.sessionLost(before, "replaced by session " + Long.toHexString(s));
                }
                session = s;
                log.info("[node={}] ZooKeeper {} (session {})", nodeId, state, Long.toHexString(s));
                events.sessionStarted(s);
            }
            case SUSPENDED, LOST -> {
                long s = session;
                if (s != 0) {
                    session = 0;
                    events.sessionLost(s, "ZooKeeper connection " + state);
                }
            }
            default -> {
                // READ_ONLY: not used (canBeReadOnly is off)
            }
        }
    }

    private void checkSession(long s) throws Exception {
        if (s == 0 || s != session || s != client.getZookeeperClient().getZooKeeper().getSessionId()) {
            throw new IllegalStateException("session " + Long.toHexString(s) + " is not the current one");
        }
    }

    // --------------------------------------------------------------------------------------------------- views

    /** Rebuilds the views from the cache and reports those that changed (Curator's cache thread). */
    private synchronized void publish() {
        Events ev = events;
        if (!initialized || ev == null || closed) {
            return;
        }
        Map<String, String> m = new TreeMap<>();
        Map<Integer, Owner> o = new TreeMap<>();
        String list = null;
        String ever = null;
        for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
            String path = d.getPath();
            String value = d.getData() == null ? "" : new String(d.getData(), StandardCharsets.UTF_8);
            if (path.startsWith(SERVERS_PREFIX)) {
                m.put(path.substring(SERVERS_PREFIX.length()), value);
            } else if (path.startsWith(OWNERS_PREFIX)) {
                try {
                    int slot = Integer.parseInt(path.substring(OWNERS_PREFIX.length()));
                    o.put(slot, new Owner(value, d.getStat() == null ? 0 : d.getStat().getEphemeralOwner()));
                } catch (NumberFormatException e) {
                    // not ours
                }
            } else if (path.equals(ClusterPaths.SLOT_LIST)) {
                list = value;
            } else if (path.equals(ClusterPaths.EVER_LISTED)) {
                ever = value;
            }
        }
        if (!m.equals(members)) {
            members = m;
            ev.membersChanged(Map.copyOf(m));
        }
        if (!Optional.ofNullable(list).equals(slotList)) {
            slotList = Optional.ofNullable(list);
            ev.slotListChanged(list);
        }
        if (!Optional.ofNullable(ever).equals(everListed)) {
            everListed = Optional.ofNullable(ever);
            ev.everListedChanged(ever);
        }
        if (!o.equals(owners)) {
            owners = o;
            ev.ownersChanged(Map.copyOf(o));
        }
    }

    /** A watched change of an announcement node (Curator's cache thread); data null when deleted. */
    private synchronized void announcementChanged(String path, ChildData data) {
        if (!initialized) {
            return; // part of the initial load, reported by announcementsLoaded()
        }
        report(path, data, false);
    }

    /** Every announcement node in the cache (the app change node even when absent), as loaded. */
    private synchronized void announcementsLoaded() {
        if (cache.get(ClusterPaths.APP_CHANGED).isEmpty()) {
            report(ClusterPaths.APP_CHANGED, null, true);
        }
        for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
            if (ClusterPaths.isAnnouncement(d.getPath())) {
                report(d.getPath(), d, true);
            }
        }
    }

    private void report(String path, ChildData data, boolean reloaded) {
        Events ev = events;
        if (ev == null || closed) {
            return;
        }
        long version = data == null || data.getStat() == null ? 0 : data.getStat().getVersion() + 1L;
        try {
            ev.announced(path, data == null ? null : text(data.getData()), version, reloaded);
        } catch (RuntimeException e) {
            log.error("[node={}] reporting the announcement {} failed", nodeId, path, e);
        }
    }

    // ---------------------------------------------------------------------------------------------- operations

    @Override
    public void announce(String path, String value) throws Exception {
        if (!ClusterPaths.isAnnouncement(path)) {
            throw new IllegalArgumentException(path + " is not an announcement key");
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; ; attempt++) {
            try {
                client.setData().forPath(path, data);
                return;
            } catch (KeeperException.NoNodeException e) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(path, data);
                    return;
                } catch (KeeperException.NodeExistsException raced) {
                    if (attempt >= 2) {
                        throw raced;
                    }
                    // created by another server meanwhile: set it
                }
            }
        }
    }

    @Override
    public void register(long s, String node, String address) throws Exception {
        checkSession(s);
        String path = ClusterPaths.server(node);
        byte[] data = address.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 5; attempt++) {
            Stat stat = client.checkExists().forPath(path);
            if (stat == null) {
                try {
                    client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                    break;
                } catch (KeeperException.NodeExistsException e) {
                    continue;
                }
            }
            if (stat.getEphemeralOwner() == s) {
                client.setData().forPath(path, data);
                break;
            }
            deleteIfUnchanged(path, stat); // an earlier session of this node: it is dead to us
        }
        // owner nodes of an earlier session of this node id: that session fenced itself, let the slots go now
        for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
            if (d.getPath().startsWith(OWNERS_PREFIX) && d.getStat() != null && d.getStat().getEphemeralOwner() != s
                    && d.getStat().getEphemeralOwner() != 0 && node.equals(text(d.getData()))) {
                deleteIfUnchanged(d.getPath(), d.getStat());
            }
        }
    }

    @Override
    public void createSlotListIfAbsent(String csv) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(ClusterPaths.SLOT_LIST, csv.getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            // written already: only if absent
        }
    }

    @Override
    public void recordEverListed(Set<Integer> slots) throws Exception {
        String path = ClusterPaths.EVER_LISTED;
        for (int attempt = 0; attempt < 10; attempt++) {
            Stat stat = new Stat();
            byte[] current;
            try {
                current = client.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(path,
                            SlotList.format(slots).getBytes(StandardCharsets.UTF_8));
                    return;
                } catch (KeeperException.NodeExistsException raced) {
                    continue;
                }
            }
            SortedSet<Integer> all = new TreeSet<>(slots);
            try {
                all.addAll(SlotList.parse(text(current)));
            } catch (IllegalArgumentException e) {
                log.warn("[node={}] malformed {} replaced by the listed slots", nodeId, path);
            }
            String next = SlotList.format(all);
            if (next.equals(text(current))) {
                return;
            }
            try {
                client.setData().withVersion(stat.getVersion()).forPath(path, next.getBytes(StandardCharsets.UTF_8));
                return;
            } catch (KeeperException.BadVersionException raced) {
                // someone else grew it: read again
            }
        }
        throw new IllegalStateException("too much contention on " + path);
    }

    @Override
    public boolean claimOwner(long s, int slot, String node) throws Exception {
        checkSession(s);
        String path = ClusterPaths.owner(slot);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Stat created = new Stat();
                client.create().storingStatIn(created).creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(path, node.getBytes(StandardCharsets.UTF_8));
                if (created.getEphemeralOwner() != s) {
                    // the client moved to a newer session under us: that node is not this session's to keep
                    deleteIfUnchanged(path, created);
                    throw new IllegalStateException("session changed during the claim of slot " + slot);
                }
                return true;
            } catch (KeeperException.NodeExistsException e) {
                Stat stat = new Stat();
                try {
                    byte[] holder = client.getData().storingStatIn(stat).forPath(path);
                    return stat.getEphemeralOwner() == s && node.equals(text(holder));
                } catch (KeeperException.NoNodeException gone) {
                    // released meanwhile: try again
                }
            }
        }
        return false;
    }

    @Override
    public void releaseOwner(long s, int slot, String node) throws Exception {
        String path = ClusterPaths.owner(slot);
        Stat stat = new Stat();
        byte[] holder;
        try {
            holder = client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        if (stat.getEphemeralOwner() == s && node.equals(text(holder))) {
            deleteIfUnchanged(path, stat);
        }
    }

    private void deleteIfUnchanged(String path, Stat stat) throws Exception {
        try {
            client.delete().withVersion(stat.getVersion()).forPath(path);
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            // gone or changed meanwhile
        }
    }

    /** Closes the cache and the session: the server deletes this session's ephemeral nodes at once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session = 0;
        cache.close();
        client.close();
    }

    private static String text(byte[] data) {
        return data == null ? "" : new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ZkClusterBackend[node=" + nodeId + "]";
    }
}
