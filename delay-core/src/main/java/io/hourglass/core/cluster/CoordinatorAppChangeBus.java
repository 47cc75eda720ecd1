package io.hourglass.core.cluster;

import io.hourglass.core.spi.AppChangeBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.hourglass.core.concurrent.NamedThreads;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@link AppChangeBus} over the coordination service, for a cluster without Redis: an announcement rewrites the key
 * {@link ClusterPaths#APP_CHANGED} ({@code <counter>:<appKey>}), which every server watches. One per
 * {@link ClusterCoordinator} ({@link ClusterCoordinator#appChangeBus()}), fed by its backend's events.
 *
 * <p><b>Publishing.</b> {@link #publish} calls this server's listeners at once, on the caller's thread, then queues
 * the write; one thread writes the queued keys in order, each write begun after the {@code publish} that queued it,
 * so it is committed after the change the caller made before publishing. A key published again while still queued
 * is written once. A failed write (service unreachable, coordinator not started yet) is retried every
 * {@code retryInterval} until it succeeds or the coordinator closes; more than {@value #MAX_PENDING} keys waiting
 * collapse into one {@link #ALL}. The value's counter (random start, one more per write) only makes each write
 * recognisable to a human; a rewrite of the same value is reported by the backends all the same.
 *
 * <p><b>Receiving.</b> Each reported write calls the listeners (on this bus's delivery thread) with the app key, its
 * own announcements included (a second, harmless invalidation on the publishing server). {@link #ALL} is delivered
 * instead when announcements may have been missed: the key's version jumped by more than one (writes coalesced by a
 * ZooKeeper watch, or a delete/re-create), the backend (re)loaded its view (first load, reload after compaction,
 * reopened watch, reconnect), or a session started after a lost one (this server was cut off from the service).
 *
 * <p><b>What is guaranteed</b> (best effort, as {@link AppChangeBus} says): while a server is connected, after the
 * last announcement of an app its listeners receive that app's key or {@link #ALL} at least once, later than the
 * write of that announcement was committed; a listener that re-reads the app on each call therefore ends with the
 * last version. Announcements are not counted: several of them may arrive as one call (or as {@link #ALL}), and one
 * may arrive twice. A server that was cut off receives {@link #ALL} once it is back.
 */
public final class CoordinatorAppChangeBus implements AppChangeBus {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorAppChangeBus.class);
    static final int MAX_PENDING = 64;

    private final ClusterBackend backend;
    private final String nodeId;
    private final long retryMillis;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong counter = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40));
    /** Writes announcements (blocking backend calls, retried). */
    private final ScheduledExecutorService writer;
    /** Calls the listeners for remote announcements, in the order they were reported. */
    private final ScheduledExecutorService delivery;

    // guarded by this
    private final LinkedHashSet<String> pending = new LinkedHashSet<>();
    private boolean draining;
    private boolean closed;
    private boolean failing;

    // guarded by receiveLock: the last version reported for APP_CHANGED, -1 before the first report
    private final Object receiveLock = new Object();
    private long lastVersion = -1;

    CoordinatorAppChangeBus(String nodeId, ClusterBackend backend, Duration retryInterval) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.retryMillis = Math.max(50, retryInterval.toMillis());
        this.writer = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-app-announce-" + nodeId));
        this.delivery = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-app-changes-" + nodeId));
    }

    // ------------------------------------------------------------------------------------------------- publishing

    @Override
    public void publish(String appKey) {
        if (appKey == null || appKey.isEmpty()) {
            log.warn("[node={}] an app change without an app key was not announced", nodeId);
            return;
        }
        deliver(appKey);
        synchronized (this) {
            if (closed) {
                log.debug("[node={}] bus closed: change of app {} announced on this server only", nodeId, appKey);
                return;
            }
            if (!pending.contains(ALL)) { // a queued ALL, written after this call, covers the app too
                pending.add(appKey);
            }
            if (pending.size() > MAX_PENDING) {
                pending.clear();
                pending.add(ALL);
            }
            if (!draining) {
                draining = true;
                submit(0);
            }
        }
    }

    /** Schedules {@link #drain()}; caller holds this. */
    private void submit(long delayMillis) {
        try {
            writer.schedule(this::drain, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            draining = false; // closing
        }
    }

    /** Writes the queued keys in order; on a failure puts the key back and tries again later. */
    private void drain() {
        while (true) {
            String next;
            synchronized (this) {
                if (closed || pending.isEmpty()) {
                    draining = false;
                    return;
                }
                next = pending.iterator().next();
                pending.remove(next); // taken before the write: a publish from now on queues it again
            }
            try {
                backend.announce(ClusterPaths.APP_CHANGED, encode(counter.incrementAndGet(), next));
                synchronized (this) {
                    if (failing) {
                        failing = false;
                        log.info("[node={}] app change announcements written again", nodeId);
                    }
                }
            } catch (Throwable e) {
                synchronized (this) {
                    if (!ALL.equals(next) && !pending.contains(ALL)) {
                        LinkedHashSet<String> again = new LinkedHashSet<>();
                        again.add(next);
                        again.addAll(pending);
                        pending.clear();
                        pending.addAll(again.size() > MAX_PENDING ? List.of(ALL) : again);
                    } else {
                        pending.clear();
                        pending.add(ALL);
                    }
                    if (!failing) {
                        failing = true;
                        log.warn("[node={}] announcing the change of app {} failed ({}); retrying every {} ms", nodeId,
                                next, e.toString(), retryMillis);
                    } else {
                        log.debug("[node={}] announcing the change of app {} failed again", nodeId, next, e);
                    }
                    if (closed) {
                        draining = false;
                    } else {
                        submit(retryMillis);
                    }
                }
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }
    }

    static String encode(long counter, String appKey) {
        return counter + ":" + appKey;
    }

    /**
     * The app key of a value of {@link ClusterPaths#APP_CHANGED}: what follows {@code <digits>:}, or the whole value
     * (an operator may write a bare app key, or {@code *} to have every server drop every app); null when empty.
     */
    static String decode(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        int colon = v.indexOf(':');
        if (colon > 0 && v.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
            v = v.substring(colon + 1);
        }
        return v.isEmpty() ? null : v;
    }

    // -------------------------------------------------------------------------------------------------- receiving

    @Override
    public void subscribe(Consumer<String> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** A write (or reload) of {@link ClusterPaths#APP_CHANGED} reported by the backend, on its thread. */
    void onAnnounced(String value, long version, boolean reloaded) {
        String deliver;
        synchronized (receiveLock) {
            long before = lastVersion;
            lastVersion = version;
            if (reloaded) {
                deliver = ALL; // writes before this load may have been missed
            } else if (value == null || version <= 0) {
                deliver = null; // deleted (by an operator): nothing was announced
            } else if (version == before) {
                deliver = null; // the same write again
            } else if (before >= 0 && version == before + 1) {
                deliver = decode(value);
            } else {
                // several writes seen as one (only the last value is known), a delete and re-create in between, or
                // the first write seen without a load before it
                log.debug("[node={}] {} went from version {} to {}: dropping every app", nodeId,
                        ClusterPaths.APP_CHANGED, before, version);
                deliver = ALL;
            }
        }
        if (deliver != null) {
            deliverLater(deliver);
        }
    }

    /** This server may have missed announcements (a session started after a lost one): drop every app. */
    void onMayHaveMissed(String why) {
        log.debug("[node={}] {}: dropping every cached app", nodeId, why);
        deliverLater(ALL);
    }

    private void deliverLater(String appKey) {
        try {
            delivery.execute(() -> deliver(appKey));
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private void deliver(String appKey) {
        for (Consumer<String> l : listeners) {
            try {
                l.accept(appKey);
            } catch (Throwable t) {
                log.error("[node={}] an app change listener failed on {}", nodeId, appKey, t);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- lifecycle

    /** Attempts announcements still queued (briefly), then stops both threads; called by the coordinator's close. */
    void close(Duration flushWithin) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        // let a write in progress, or a queued one, go out before the backend closes
        long deadline = System.nanoTime() + flushWithin.toNanos();
        while (System.nanoTime() - deadline < 0) {
            synchronized (this) {
                if (!draining || failing) {
                    break;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (this) {
            closed = true;
            if (!pending.isEmpty()) {
                log.info("[node={}] {} app change announcement(s) not written before closing", nodeId, pending.size());
                pending.clear();
            }
        }
        writer.shutdownNow();
        delivery.shutdown();
    }

    @Override
    public String toString() {
        return "CoordinatorAppChangeBus[node=" + nodeId + "]";
    }
}
