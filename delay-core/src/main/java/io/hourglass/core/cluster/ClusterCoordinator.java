package io.hourglass.core.cluster;

import io.hourglass.core.cluster.ClusterBackend.Owner;
import io.hourglass.core.concurrent.Guarded;
import io.hourglass.core.concurrent.Lifecycle;
import io.hourglass.core.concurrent.LoopErrors;
import io.hourglass.core.concurrent.NamedThreads;
import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.Coordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Slot ownership over a {@link ClusterBackend} (etcd, ZooKeeper): the one {@link Coordinator} of a cluster, so that
 * backends differ only in their primitives. docs/coordination.md tells the whole protocol and its timing argument.
 *
 * <ul>
 *   <li><b>Rebalance.</b> After {@code rebalanceDelay} of quiet following a change of members or of the slot universe
 *   (the current list ∪ every slot ever listed), the target of this server is computed by {@link SlotAssigner} from
 *   the sorted view, the same on every server.</li>
 *   <li><b>Release.</b> A slot that left the target is revoked ({@link SlotListener#slotsRevoked}, synchronously: the
 *   engine stops firing it) <em>before</em> its owner key is deleted.</li>
 *   <li><b>Claim.</b> A slot that joined the target is claimed with create-if-absent bound to the session; while
 *   someone else still holds it the coordinator waits for the key to go (owner watch, plus a periodic retry). Only a
 *   key this session holds makes a slot owned; {@link SlotListener#slotsAssigned} comes after.</li>
 *   <li><b>Fencing.</b> When the backend reports the session lost, every slot is revoked at once, on the reporting
 *   thread, under the same lock as every other change of {@link #ownedSlots()}. A claim that was in flight is not
 *   adopted (epoch check). With a new session the server registers again and rebalances.</li>
 *   <li><b>App changes.</b> {@link #appChangeBus()} announces app changes through the key
 *   {@link ClusterPaths#APP_CHANGED} and tells this server's subscribers of every announcement reported by the
 *   backend ({@link CoordinatorAppChangeBus}); a session started after a lost one tells them to drop every app.</li>
 * </ul>
 *
 * <p>Threading: one thread ({@code hourglass-coordinator-<nodeId>}) runs every backend operation and every decision;
 * backend events are queued to it, except a lost session, which is fenced on the backend's thread first. The listener
 * is always called with {@code lock} held, so its calls never overlap.
 */
public final class ClusterCoordinator implements Coordinator {

    private static final Logger log = LoggerFactory.getLogger(ClusterCoordinator.class);

    private final ClusterSettings settings;
    private final ClusterBackend backend;
    private final String nodeId;
    private final Duration retryInterval;
    private final ScheduledExecutorService executor;
    /** The coordinator thread's loops, as counted in {@code hourglass.loop.errors{loop}}. */
    private static final String[] LOOPS = {"coordinator-maintenance", "coordinator-rebalance", "coordinator-event"};
    private final Lifecycle lifecycle = new Lifecycle("ClusterCoordinator");
    private final LoopErrors loopErrors;
    private final BackendEvents events = new BackendEvents();
    private final CoordinatorAppChangeBus appChanges;
    /** Set by the first session start: a later one follows a loss, and announcements may have been missed. */
    private final AtomicBoolean hadSession = new AtomicBoolean();

    /** Guards {@link #owned}, {@link #writable}, {@link #session}, {@link #epoch} and every listener call. */
    private final Object lock = new Object();
    private volatile Set<Integer> owned = Set.of();
    private volatile Set<Integer> writable = Set.of();
    /** The backend session this server acts for; 0 while there is none (lost, not yet started, closed). */
    private volatile long session;
    /** Bumped on every session start and loss: a claim made in an older epoch is never adopted. */
    private long epoch;
    private SlotListener listener;

    // views, replaced whole (volatile: read by ownerOf/addressOf/slotCount from any thread)
    private volatile Map<String, String> members = Map.of();
    private volatile Map<Integer, Owner> owners = Map.of();
    private volatile SortedSet<Integer> slotList; // null until a well-formed list was seen

    // coordinator thread only
    private final SortedSet<Integer> everListed = new TreeSet<>(); // the record plus every list seen here
    private Set<Integer> everRecorded = Set.of();
    private Set<Integer> target = Set.of();
    private boolean registered;
    private boolean rebalanced;
    private final Set<Integer> pendingRelease = new HashSet<>();
    private ScheduledFuture<?> rebalanceTask;

    public ClusterCoordinator(ClusterSettings settings, ClusterBackend backend) {
        this(settings, backend, LoopErrors.NONE);
    }

    /** @param loopErrors counts failed rounds of the coordinator's loop ({@code maintenance}, {@code rebalance}, {@code event}) */
    public ClusterCoordinator(ClusterSettings settings, ClusterBackend backend, LoopErrors loopErrors) {
        this.loopErrors = Objects.requireNonNull(loopErrors, "loopErrors");
        for (String loop : LOOPS) {
            loopErrors.register(loop);
        }
        this.settings = Objects.requireNonNull(settings, "settings");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.nodeId = settings.nodeId();
        long retry = Math.max(100, Math.min(2000, settings.ttl().toMillis() / 4));
        this.retryInterval = Duration.ofMillis(retry);
        this.executor = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-coordinator-" + nodeId));
        this.appChanges = new CoordinatorAppChangeBus(nodeId, backend, retryInterval);
    }

    /**
     * The cluster's {@link AppChangeBus} over this coordinator's service (the key {@link ClusterPaths#APP_CHANGED}):
     * usable before {@link #start} (announcements that cannot be written yet are retried), receives once started,
     * stops with {@link #close()}.
     */
    public AppChangeBus appChangeBus() {
        return appChanges;
    }

    @Override
    public void start(SlotListener listener) {
        Objects.requireNonNull(listener, "listener");
        lifecycle.start();
        synchronized (lock) {
            this.listener = listener;
        }
        long retry = retryInterval.toMillis();
        executor.scheduleWithFixedDelay(guarded("maintenance", this::maintain), retry, retry, TimeUnit.MILLISECONDS);
        backend.start(events);
        log.info("Cluster coordinator started: node={} ttl={} rebalanceDelay={}", nodeId, settings.ttl(),
                settings.rebalanceDelay());
    }

    @Override
    public Set<Integer> ownedSlots() {
        return owned;
    }

    @Override
    public boolean owns(int slot) {
        return owned.contains(slot);
    }

    @Override
    public Set<Integer> writableSlots() {
        return writable;
    }

    @Override
    public Optional<String> ownerOf(int slot) {
        Owner o = owners.get(slot);
        if (o == null) {
            return Optional.empty();
        }
        // a key of ours that this server does not own (a past session's, a claim not yet adopted) routes nowhere
        return o.nodeId().equals(nodeId) && !owns(slot) ? Optional.empty() : Optional.of(o.nodeId());
    }

    @Override
    public Optional<String> addressOf(String node) {
        return Optional.ofNullable(members.get(node));
    }

    /** The size of the current slot list (the configured count until the list was read). */
    @Override
    public int slotCount() {
        SortedSet<Integer> list = slotList;
        return list == null ? settings.slotCount() : list.size();
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /**
     * Revokes every slot, deletes this server's owner keys and ends the session (the backend revokes the lease /
     * closes the ZooKeeper session), so that the others rebalance without waiting for the TTL.
     */
    @Override
    public void close() {
        Lifecycle.State before = lifecycle.close();
        if (before == Lifecycle.State.CLOSED) {
            return;
        }
        if (before == Lifecycle.State.NEW) { // never started: nothing owned, but the backend holds a client
            executor.shutdownNow();
            appChanges.close(Duration.ZERO);
            backend.close();
            return;
        }
        long s;
        Set<Integer> all;
        synchronized (lock) {
            s = session;
            all = owned;
            revokeLocked(all, true);
            session = 0;
            epoch++;
        }
        try {
            executor.submit(() -> {
                for (int slot : new TreeSet<>(all)) {
                    release(s, slot);
                }
            }).get(Math.max(1000, settings.ttl().toMillis() / 2), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("[node={}] releasing owner keys on close did not finish; ending the session removes them", nodeId, e);
        }
        executor.shutdownNow();
        appChanges.close(Duration.ofMillis(Math.max(500, settings.ttl().toMillis() / 4)));
        backend.close();
        log.info("Cluster coordinator closed: node={} released {} slots", nodeId, all.size());
    }

    // ------------------------------------------------------------------------------------------ coordinator thread

    private void onSessionStarted(long s, long e) {
        synchronized (lock) {
            if (epoch != e) {
                return; // lost again before we got here
            }
        }
        registered = false;
        rebalanced = false;
        pendingRelease.clear();
        log.info("[node={}] session {} started", nodeId, Long.toHexString(s));
        register();
        scheduleRebalance();
    }

    private void register() {
        long s = session;
        if (s == 0 || registered) {
            return;
        }
        try {
            backend.register(s, nodeId, settings.advertisedAddress());
            backend.createSlotListIfAbsent(SlotList.format(SlotList.range(settings.slotCount())));
            registered = true;
        } catch (Exception e) {
            log.warn("[node={}] registration failed; retrying in {} ms", nodeId, retryInterval.toMillis(), e);
        }
    }

    private void onMembers(Map<String, String> view) {
        Map<String, String> before = members;
        members = Map.copyOf(view);
        if (!before.keySet().equals(view.keySet())) {
            scheduleRebalance();
        }
    }

    private void onSlotList(String csv) {
        if (csv == null) {
            if (session != 0) {
                if (slotList != null) { // deleted by hand: a fresh cluster has none until the first server writes it
                    log.warn("[node={}] slot list {} is absent; writing {} slots", nodeId, ClusterPaths.SLOT_LIST,
                            settings.slotCount());
                }
                registered = false; // maintain() writes it back (with the registration) if absent
                register();
            }
            return;
        }
        SortedSet<Integer> parsed;
        try {
            parsed = SlotList.parse(csv);
        } catch (IllegalArgumentException e) {
            log.error("[node={}] malformed slot list at {} ignored ({}); keeping {}", nodeId, ClusterPaths.SLOT_LIST,
                    e.getMessage(), slotList == null ? "none" : SlotList.format(slotList));
            return;
        }
        if (parsed.equals(slotList)) {
            return;
        }
        slotList = parsed;
        everListed.addAll(parsed);
        recordEverListed();
        updateWritable();
        scheduleRebalance();
    }

    private void onEverListed(String csv) {
        if (csv == null) {
            recordEverListed();
            return;
        }
        try {
            everRecorded = SlotList.parse(csv);
        } catch (IllegalArgumentException e) {
            log.error("[node={}] malformed record at {} ignored ({})", nodeId, ClusterPaths.EVER_LISTED, e.getMessage());
            return;
        }
        if (everListed.addAll(everRecorded)) {
            scheduleRebalance();
        }
        recordEverListed();
    }

    /** Grows the shared record until it holds every slot this server saw listed. */
    private void recordEverListed() {
        if (session == 0 || everRecorded.containsAll(everListed)) {
            return;
        }
        try {
            backend.recordEverListed(everListed);
        } catch (Exception e) {
            log.warn("[node={}] recording the listed slots failed; retrying", nodeId, e);
        }
    }

    private void onOwners(Map<Integer, Owner> view) {
        Map<Integer, Owner> before = owners;
        owners = Map.copyOf(view);
        long s = session;
        Set<Integer> lostKeys = new TreeSet<>();
        for (int slot : owned) {
            Owner now = view.get(slot);
            Owner mine = new Owner(nodeId, s);
            // our key was deleted (operator, expiry) or someone else holds the slot: we no longer own it
            if (now == null ? mine.equals(before.get(slot)) : !now.equals(mine)) {
                lostKeys.add(slot);
            }
        }
        if (!lostKeys.isEmpty()) {
            log.warn("[node={}] owner keys of slots {} are no longer ours; revoking them", nodeId, lostKeys);
            synchronized (lock) {
                revokeLocked(lostKeys, false);
            }
        }
        if (rebalanced) {
            reconcile();
        }
    }

    private void scheduleRebalance() {
        if (rebalanceTask != null) {
            rebalanceTask.cancel(false);
        }
        rebalanceTask = executor.schedule(guarded("rebalance", this::rebalance), settings.rebalanceDelay().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Computes this server's target from the current view, then moves towards it. */
    private void rebalance() {
        SortedSet<Integer> list = slotList;
        if (session == 0 || !registered || list == null || !members.containsKey(nodeId)) {
            return; // the event that completes the view schedules another rebalance
        }
        recordEverListed();
        SortedSet<Integer> universe = new TreeSet<>(list);
        universe.addAll(everListed);
        Set<Integer> next = SlotAssigner.assign(members.keySet(), universe).get(nodeId);
        if (!next.equals(target)) {
            log.info("[node={}] rebalance: {} members, {} slots, target {} slots (own {})", nodeId, members.size(),
                    universe.size(), next.size(), owned.size());
        }
        target = next;
        rebalanced = true;
        reconcile();
    }

    /** Releases what left the target (revoke first), claims what joined it and is free. */
    private void reconcile() {
        long s;
        long e;
        synchronized (lock) {
            s = session;
            e = epoch;
        }
        if (s == 0) {
            return;
        }
        Set<Integer> lost = new TreeSet<>(owned);
        lost.removeAll(target);
        if (!lost.isEmpty()) {
            synchronized (lock) {
                if (epoch != e) {
                    return;
                }
                revokeLocked(lost, true);
            }
            pendingRelease.addAll(lost);
        }
        // keys this session holds that are neither owned nor wanted (a claim whose answer was lost, say)
        owners.forEach((slot, o) -> {
            if (o.session() == s && o.nodeId().equals(nodeId) && !owned.contains(slot) && !target.contains(slot)) {
                pendingRelease.add(slot);
            }
        });
        for (int slot : new TreeSet<>(pendingRelease)) {
            if (release(s, slot)) {
                pendingRelease.remove(slot);
            }
        }

        Set<Integer> gained = new TreeSet<>();
        for (int slot : target) {
            if (owned.contains(slot)) {
                continue;
            }
            Owner o = owners.get(slot);
            if (o != null && !(o.session() == s && o.nodeId().equals(nodeId))) {
                continue; // still held by its previous owner: the owner watch tells us when it goes
            }
            try {
                if (backend.claimOwner(s, slot, nodeId)) {
                    gained.add(slot);
                }
            } catch (Exception ex) {
                log.warn("[node={} slot={}] claim failed; retrying", nodeId, slot, ex);
                break;
            }
        }
        if (!gained.isEmpty()) {
            synchronized (lock) {
                if (epoch != e) {
                    return; // the session was lost meanwhile: those keys die with it
                }
                Set<Integer> next = new HashSet<>(owned);
                next.addAll(gained);
                owned = Collections.unmodifiableSet(next);
                writable = computeWritable(owned);
                listener.slotsAssigned(Collections.unmodifiableSet(gained));
            }
            log.debug("[node={}] claimed slots {}", nodeId, gained);
        }
    }

    /** Deletes our owner key of {@code slot}; false when the backend failed (retried later). */
    private boolean release(long s, int slot) {
        if (s == 0) {
            return true;
        }
        try {
            backend.releaseOwner(s, slot, nodeId);
            return true;
        } catch (Exception e) {
            log.warn("[node={} slot={}] release failed; retrying", nodeId, slot, e);
            return false;
        }
    }

    private void updateWritable() {
        synchronized (lock) {
            Set<Integer> next = computeWritable(owned);
            if (!next.equals(writable)) {
                writable = next;
                if (listener != null) {
                    listener.slotsAssigned(Set.of());
                }
            }
        }
    }

    private Set<Integer> computeWritable(Set<Integer> slots) {
        SortedSet<Integer> list = slotList;
        if (list == null) {
            return Set.of();
        }
        Set<Integer> w = new HashSet<>(slots);
        w.retainAll(list);
        return Collections.unmodifiableSet(w);
    }

    /** Periodic: retries whatever failed and claims slots whose previous owner went without us noticing. */
    private void maintain() {
        if (session == 0) {
            return;
        }
        if (!registered) {
            register();
            if (registered) {
                scheduleRebalance();
            }
        }
        recordEverListed();
        if (rebalanced && (!owned.containsAll(target) || !pendingRelease.isEmpty())) {
            reconcile();
        }
    }

    // ------------------------------------------------------------------------------------------------- fencing

    /** Removes {@code slots} from the owned set and tells the listener; caller holds {@code lock}. */
    private void revokeLocked(Set<Integer> slots, boolean quiet) {
        Set<Integer> gone = new TreeSet<>(slots);
        gone.retainAll(owned);
        if (gone.isEmpty()) {
            return;
        }
        Set<Integer> next = new HashSet<>(owned);
        next.removeAll(gone);
        owned = Collections.unmodifiableSet(next);
        writable = computeWritable(owned);
        if (listener != null) {
            listener.slotsRevoked(Collections.unmodifiableSet(gone));
        }
        if (!quiet) {
            log.info("[node={}] revoked slots {}", nodeId, gone);
        }
    }

    /** The session may be gone: stop firing everything now, on the caller's thread. */
    private void fence(long s, String reason) {
        int count;
        synchronized (lock) {
            if (session != s || s == 0) {
                return; // an older session, already fenced
            }
            count = owned.size();
            revokeLocked(owned, true);
            session = 0;
            epoch++;
        }
        log.warn("[node={}] session {} lost ({}): revoked all {} slots; rejoining when a new session starts", nodeId,
                Long.toHexString(s), reason, count);
        post(() -> {
            if (session == 0) {
                if (rebalanceTask != null) {
                    rebalanceTask.cancel(false);
                }
                rebalanced = false;
                registered = false;
            }
        });
    }

    // ---------------------------------------------------------------------------------------------- plumbing

    private void post(Runnable task) {
        if (!lifecycle.running()) {
            return;
        }
        try {
            executor.execute(guarded("event", () -> {
                if (lifecycle.running()) {
                    task.run();
                }
            }));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private Runnable guarded(String loop, Runnable task) {
        return Guarded.round("coordinator-" + loop, "node=" + nodeId, loopErrors, task);
    }

    /** The backend's events, queued to the coordinator thread (a lost session is fenced first, on the caller). */
    private final class BackendEvents implements ClusterBackend.Events {
        @Override
        public void sessionStarted(long s) {
            long e;
            synchronized (lock) { // here, not on the coordinator thread: a loss reported next must see this session
                session = s;
                e = ++epoch;
            }
            if (hadSession.getAndSet(true)) {
                appChanges.onMayHaveMissed("session " + Long.toHexString(s) + " started after a lost one");
            }
            post(() -> onSessionStarted(s, e));
        }

        @Override
        public void sessionLost(long s, String reason) {
            fence(s, reason);
        }

        @Override
        public void membersChanged(Map<String, String> view) {
            Map<String, String> copy = Map.copyOf(view);
            post(() -> onMembers(copy));
        }

        @Override
        public void slotListChanged(String csv) {
            post(() -> onSlotList(csv));
        }

        @Override
        public void everListedChanged(String csv) {
            post(() -> onEverListed(csv));
        }

        @Override
        public void ownersChanged(Map<Integer, Owner> view) {
            Map<Integer, Owner> copy = Map.copyOf(view);
            post(() -> onOwners(copy));
        }

        @Override
        public void announced(String path, String value, long version, boolean reloaded) {
            if (ClusterPaths.APP_CHANGED.equals(path)) {
                appChanges.onAnnounced(value, version, reloaded);
            }
        }
    }
}
