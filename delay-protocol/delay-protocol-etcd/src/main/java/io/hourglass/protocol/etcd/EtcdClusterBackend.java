package io.hourglass.protocol.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.hourglass.core.cluster.ClusterBackend;
import io.hourglass.core.cluster.ClusterPaths;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.core.cluster.SlotList;
import io.hourglass.core.concurrent.NamedThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ClusterBackend} on etcd v3 (jetcd): one lease per session, keys bound to it, create-if-absent transactions
 * ({@code createRevision == 0}), one prefix watch on {@code /delay/} resumed by revision.
 *
 * <p><b>Lease and fencing.</b> The lease (TTL = {@code ttl}, rounded up to whole seconds by etcd) is renewed with a
 * keep-alive every {@code ttl/4}; the time each keep-alive was <em>sent</em> is kept, and the newest one that was
 * answered with a positive TTL bounds the lease's expiry from below: etcd extended it after that send, so it lives at
 * least until {@code sent + ttl}. When no such answer is newer than {@code ttl - margin} ({@code margin = ttl/4}), the
 * session is reported lost — {@code margin} before etcd can expire it, on a monotonic clock ({@link System#nanoTime()},
 * immune to wall-clock steps). The backend then revokes the old lease if etcd is reachable (its owner keys go at once)
 * and grants a new one as soon as it can.
 *
 * <p><b>Watch.</b> The views are loaded with one range read at revision R and watched from R+1; jetcd resumes a broken
 * watch from the last revision it delivered. If the watch ends anyway it is reopened from the last revision seen here,
 * and if that revision was compacted the views are read again from scratch. Either way a change made while this server
 * was disconnected is delivered after the reconnect.
 *
 * <p><b>Announcements.</b> {@link #announce} is a plain put of a key under {@code /delay/common/} (no lease); the same
 * prefix watch reports each write with the key's {@code version} (etcd delivers every revision, so writes are never
 * coalesced here). After a (re)load, and after the watch was reopened, the announcement keys are reported as
 * {@code reloaded}: the coordinator then drops every cached app.
 */
public final class EtcdClusterBackend implements ClusterBackend {

    private static final Logger log = LoggerFactory.getLogger(EtcdClusterBackend.class);
    private static final String SERVERS_PREFIX = ClusterPaths.SERVERS + "/";
    private static final String OWNERS_PREFIX = ClusterPaths.OWNERS + "/";

    private final Client client;
    private final String nodeId;
    private final long ttlMillis;
    private final long ttlSeconds;
    private final long renewNanos;
    private final long fenceNanos;
    private final long opTimeoutMillis;
    private final long retryMillis;
    /** Session thread: never blocks while a lease is current (fencing must not wait for anything). */
    private final ScheduledExecutorService executor;
    /** Watch thread: loads and reopens the watch (blocking reads). */
    private final ScheduledExecutorService watchExecutor;
    private volatile Events events;
    private volatile boolean closed;

    // session (executor thread writes; read anywhere)
    private volatile long lease;
    private long previousLease;
    private final AtomicLong lastAckedSend = new AtomicLong();
    private long nextRenewAt;
    private long nextGrantAt;

    // views (guarded by viewLock)
    private final Object viewLock = new Object();
    private final Map<String, String> members = new TreeMap<>();
    private final Map<Integer, Owner> owners = new TreeMap<>();
    private String slotList;
    private String everListed;
    /** Announcement keys: path to the last value and version seen. */
    private final Map<String, KeyValue> announcements = new TreeMap<>();
    private long revision;
    private Watch.Watcher watcher;
    private boolean watchBroken = true;

    /**
     * @param endpoints client URLs ({@code http://127.0.0.1:2379})
     * @param username  etcd user, or null
     * @param password  its password, or null
     * @param prefix    key prefix of this cluster ({@code /prod}) or empty: keys are {@code <prefix>/delay/...}
     */
    public EtcdClusterBackend(List<String> endpoints, String username, String password, String prefix,
                              ClusterSettings settings) {
        this.nodeId = settings.nodeId();
        this.ttlMillis = settings.ttl().toMillis();
        this.ttlSeconds = Math.max(1, (ttlMillis + 999) / 1000);
        this.renewNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis / 4);
        this.fenceNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis - ttlMillis / 4);
        this.opTimeoutMillis = Math.max(500, Math.min(5000, ttlMillis / 2));
        this.retryMillis = Math.max(100, Math.min(1000, ttlMillis / 4));
        ClientBuilder builder = Client.builder()
                .endpoints(endpoints.toArray(String[]::new))
                .connectTimeout(Duration.ofMillis(opTimeoutMillis))
                .retryMaxDuration(Duration.ofMillis(opTimeoutMillis))
                .retryDelay(100)
                .retryMaxDelay(500)
                .retryChronoUnit(java.time.temporal.ChronoUnit.MILLIS);
        if (username != null && !username.isEmpty()) {
            builder.user(bytes(username)).password(bytes(Objects.requireNonNullElse(password, "")));
        }
        if (prefix != null && !prefix.isEmpty()) {
            builder.namespace(bytes(prefix));
        }
        this.client = builder.build();
        this.executor = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-etcd-lease-" + nodeId));
        this.watchExecutor = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-etcd-watch-" + nodeId));
    }

    @Override
    public void start(Events events) {
        this.events = Objects.requireNonNull(events, "events");
        executor.scheduleWithFixedDelay(this::tick, 0, 50, TimeUnit.MILLISECONDS);
        watchExecutor.scheduleWithFixedDelay(this::watchTick, 0, retryMillis, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------------------------ session (executor thread)

    /** Every 50 ms: fence a lease that may have expired, renew it, or grant a new one. */
    private void tick() {
        try {
            long now = System.nanoTime();
            long l = lease;
            if (l != 0) {
                long silent = now - lastAckedSend.get();
                if (silent > fenceNanos) {
                    lose(l, "no keep-alive answered for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms");
                } else if (now - nextRenewAt >= 0) {
                    nextRenewAt = now + renewNanos;
                    renew(l, now);
                }
            } else if (now - nextGrantAt >= 0) {
                nextGrantAt = now + TimeUnit.MILLISECONDS.toNanos(retryMillis);
                grant();
            }
        } catch (Throwable t) {
            log.error("[node={}] etcd session tick failed; continuing", nodeId, t);
        }
    }

    /** Repairs the watch when it ended. */
    private void watchTick() {
        try {
            boolean broken;
            synchronized (viewLock) {
                broken = watchBroken;
            }
            if (broken && !closed) {
                rewatch();
            }
        } catch (Throwable t) {
            log.error("[node={}] etcd watch repair failed; continuing", nodeId, t);
        }
    }

    private void renew(long l, long sentAt) {
        client.getLeaseClient().keepAliveOnce(l)
                .orTimeout(ttlMillis, TimeUnit.MILLISECONDS)
                .whenComplete((LeaseKeepAliveResponse r, Throwable e) -> {
                    if (e != null) {
                        log.debug("[node={}] keep-alive of lease {} failed", nodeId, Long.toHexString(l), e);
                    } else if (r.getTTL() <= 0) {
                        executor.execute(() -> lose(l, "lease expired on the server"));
                    } else {
                        lastAckedSend.accumulateAndGet(sentAt, Math::max);
                    }
                });
    }

    private void lose(long l, String reason) {
        if (lease != l || l == 0) {
            return;
        }
        lease = 0;
        previousLease = l;
        nextGrantAt = System.nanoTime();
        events.sessionLost(l, reason);
    }

    private void grant() {
        if (closed) {
            return;
        }
        try {
            if (previousLease != 0) {
                // the old lease may still live (a one-sided partition): revoke it so its owner keys go at once
                long old = previousLease;
                try {
                    client.getLeaseClient().revoke(old).get(opTimeoutMillis, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    log.debug("[node={}] old lease {} already gone", nodeId, Long.toHexString(old), e);
                }
                previousLease = 0;
            }
            long sentAt = System.nanoTime();
            long id = client.getLeaseClient().grant(ttlSeconds).get(opTimeoutMillis, TimeUnit.MILLISECONDS).getID();
            lastAckedSend.set(sentAt);
            nextRenewAt = sentAt + renewNanos;
            lease = id;
            log.info("[node={}] etcd lease {} granted (ttl {} s)", nodeId, Long.toHexString(id), ttlSeconds);
            events.sessionStarted(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("[node={}] no etcd lease yet ({}); retrying in {} ms", nodeId, e.toString(), retryMillis);
        }
    }

    // --------------------------------------------------------------------------------------------------- watches

    /** Reopens the watch from the last revision seen, or reloads everything (first time, compacted). */
    private void rewatch() {
        long from;
        synchronized (viewLock) {
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
            from = revision;
        }
        if (from == 0) {
            GetResponse all;
            try {
                all = client.getKVClient().get(bytes(ClusterPaths.ROOT + "/"),
                        GetOption.builder().isPrefix(true).build()).get(opTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                log.debug("[node={}] loading the cluster view failed; retrying", nodeId, e);
                return;
            }
            synchronized (viewLock) {
                members.clear();
                owners.clear();
                announcements.clear();
                slotList = null;
                everListed = null;
                for (KeyValue kv : all.getKvs()) {
                    apply(kv, false);
                }
                revision = all.getHeader().getRevision();
                from = revision;
                publish(true, true, true, true);
            }
        }
        synchronized (viewLock) {
            // loaded, or about to resume after a break: changes of announcement keys may have been missed
            reportAnnouncementsReloaded();
        }
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(from + 1).build();
        synchronized (viewLock) {
            watchBroken = false;
            watcher = client.getWatchClient().watch(bytes(ClusterPaths.ROOT + "/"), option,
                    Watch.listener(this::onWatch, this::onWatchError, this::onWatchCompleted));
        }
    }

    private void onWatch(WatchResponse response) {
        synchronized (viewLock) {
            boolean m = false;
            boolean o = false;
            boolean l = false;
            boolean e = false;
            List<WatchEvent> announced = new java.util.ArrayList<>();
            for (WatchEvent event : response.getEvents()) {
                KeyValue kv = event.getKeyValue();
                String key = string(kv.getKey());
                if (ClusterPaths.isAnnouncement(key)) {
                    announced.add(event);
                }
                m |= key.startsWith(SERVERS_PREFIX);
                o |= key.startsWith(OWNERS_PREFIX);
                l |= key.equals(ClusterPaths.SLOT_LIST);
                e |= key.equals(ClusterPaths.EVER_LISTED);
                apply(kv, event.getEventType() == WatchEvent.EventType.DELETE);
                revision = Math.max(revision, kv.getModRevision());
            }
            revision = Math.max(revision, response.getHeader().getRevision());
            publish(m, o, l, e);
            for (WatchEvent event : announced) {
                KeyValue kv = event.getKeyValue();
                boolean deleted = event.getEventType() == WatchEvent.EventType.DELETE;
                reportAnnouncement(string(kv.getKey()), deleted ? null : string(kv.getValue()),
                        deleted ? 0 : kv.getVersion(), false);
            }
        }
    }

    /** Reports every announcement key known (the app change key even when absent) as reloaded; holds viewLock. */
    private void reportAnnouncementsReloaded() {
        if (!announcements.containsKey(ClusterPaths.APP_CHANGED)) {
            reportAnnouncement(ClusterPaths.APP_CHANGED, null, 0, true);
        }
        announcements.forEach((key, kv) -> reportAnnouncement(key, string(kv.getValue()), kv.getVersion(), true));
    }

    private void reportAnnouncement(String key, String value, long version, boolean reloaded) {
        Events ev = events;
        if (ev == null || closed) {
            return;
        }
        try {
            ev.announced(key, value, version, reloaded);
        } catch (RuntimeException ex) {
            log.error("[node={}] reporting the announcement {} failed", nodeId, key, ex);
        }
    }

    private void onWatchError(Throwable t) {
        synchronized (viewLock) {
            if (t instanceof CompactedException) {
                log.warn("[node={}] watch revision {} was compacted; reloading the cluster view", nodeId, revision);
                revision = 0;
            } else {
                log.warn("[node={}] watch failed; reopening from revision {}", nodeId, revision + 1, t);
            }
            watchBroken = true;
        }
    }

    private void onWatchCompleted() {
        synchronized (viewLock) {
            if (!closed) {
                watchBroken = true;
            }
        }
    }

    /** Applies one key to the views; caller holds viewLock. */
    private void apply(KeyValue kv, boolean deleted) {
        String key = string(kv.getKey());
        String value = deleted ? null : string(kv.getValue());
        if (key.startsWith(SERVERS_PREFIX)) {
            String id = key.substring(SERVERS_PREFIX.length());
            if (deleted) {
                members.remove(id);
            } else {
                members.put(id, value);
            }
        } else if (key.startsWith(OWNERS_PREFIX)) {
            int slot;
            try {
                slot = Integer.parseInt(key.substring(OWNERS_PREFIX.length()));
            } catch (NumberFormatException e) {
                return; // not ours
            }
            if (deleted) {
                owners.remove(slot);
            } else {
                owners.put(slot, new Owner(value, kv.getLease()));
            }
        } else if (key.equals(ClusterPaths.SLOT_LIST)) {
            slotList = value;
        } else if (key.equals(ClusterPaths.EVER_LISTED)) {
            everListed = value;
        } else if (ClusterPaths.isAnnouncement(key)) {
            if (deleted) {
                announcements.remove(key);
            } else {
                announcements.put(key, kv);
            }
        }
    }

    /** Reports the views that changed; caller holds viewLock (so reports keep etcd's order). */
    private void publish(boolean m, boolean o, boolean l, boolean e) {
        Events ev = events;
        if (ev == null || closed) {
            return;
        }
        if (m) {
            ev.membersChanged(Map.copyOf(members));
        }
        if (l) {
            ev.slotListChanged(slotList);
        }
        if (e) {
            ev.everListedChanged(everListed);
        }
        if (o) {
            ev.ownersChanged(Map.copyOf(owners));
        }
    }

    // ------------------------------------------------------------------------------------------------ operations

    private void checkSession(long session) {
        if (session == 0 || session != lease) {
            throw new IllegalStateException("lease " + Long.toHexString(session) + " is not the current one");
        }
    }

    @Override
    public void register(long session, String node, String address) throws Exception {
        checkSession(session);
        await(client.getKVClient().put(bytes(ClusterPaths.server(node)), bytes(address),
                PutOption.builder().withLeaseId(session).build()));
    }

    @Override
    public void createSlotListIfAbsent(String csv) throws Exception {
        ByteSequence key = bytes(ClusterPaths.SLOT_LIST);
        await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, bytes(csv), PutOption.DEFAULT))
                .commit());
    }

    @Override
    public void recordEverListed(Set<Integer> slots) throws Exception {
        ByteSequence key = bytes(ClusterPaths.EVER_LISTED);
        for (int attempt = 0; attempt < 10; attempt++) {
            GetResponse current = await(client.getKVClient().get(key));
            SortedSet<Integer> all = new TreeSet<>(slots);
            Cmp unchanged;
            if (current.getKvs().isEmpty()) {
                unchanged = new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0));
            } else {
                KeyValue kv = current.getKvs().get(0);
                try {
                    all.addAll(SlotList.parse(string(kv.getValue())));
                } catch (IllegalArgumentException e) {
                    log.warn("[node={}] malformed {} replaced by the listed slots", nodeId, ClusterPaths.EVER_LISTED);
                }
                if (SlotList.format(all).equals(string(kv.getValue()))) {
                    return;
                }
                unchanged = new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(kv.getModRevision()));
            }
            TxnResponse r = await(client.getKVClient().txn().If(unchanged)
                    .Then(Op.put(key, bytes(SlotList.format(all)), PutOption.DEFAULT)).commit());
            if (r.isSucceeded()) {
                return;
            }
        }
        throw new IllegalStateException("too much contention on " + ClusterPaths.EVER_LISTED);
    }

    @Override
    public boolean claimOwner(long session, int slot, String node) throws Exception {
        checkSession(session);
        ByteSequence key = bytes(ClusterPaths.owner(slot));
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, bytes(node), PutOption.builder().withLeaseId(session).build()))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit());
        if (r.isSucceeded()) {
            return true;
        }
        List<KeyValue> held = r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
        return !held.isEmpty() && held.get(0).getLease() == session && string(held.get(0).getValue()).equals(node);
    }

    @Override
    public void releaseOwner(long session, int slot, String node) throws Exception {
        ByteSequence key = bytes(ClusterPaths.owner(slot));
        GetResponse current = await(client.getKVClient().get(key));
        if (current.getKvs().isEmpty()) {
            return;
        }
        KeyValue kv = current.getKvs().get(0);
        if (kv.getLease() != session || !string(kv.getValue()).equals(node)) {
            return; // not ours (any more)
        }
        await(client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(kv.getModRevision())))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit());
    }

    @Override
    public void announce(String path, String value) throws Exception {
        if (!ClusterPaths.isAnnouncement(path)) {
            throw new IllegalArgumentException(path + " is not an announcement key");
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        await(client.getKVClient().put(bytes(path), bytes(value)));
    }

    /** Revokes the lease (its keys go at once), stops the watch and closes the client. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdownNow();
        watchExecutor.shutdownNow();
        try {
            executor.awaitTermination(opTimeoutMillis, TimeUnit.MILLISECONDS);
            watchExecutor.awaitTermination(opTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (viewLock) {
            if (watcher != null) {
                watcher.close();
            }
        }
        for (long l : new long[] {lease, previousLease}) {
            if (l != 0) {
                try {
                    client.getLeaseClient().revoke(l).get(opTimeoutMillis, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    log.warn("[node={}] revoking lease {} on close failed; it expires within its TTL", nodeId,
                            Long.toHexString(l), e);
                }
            }
        }
        lease = 0;
        client.close();
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(opTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            future.cancel(false);
        }
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "EtcdClusterBackend[node=" + nodeId + "]";
    }
}
