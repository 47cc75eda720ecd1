package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.concurrent.Guarded;
import io.hourglass.core.concurrent.LoopErrors;
import io.hourglass.core.concurrent.NamedThreads;
import io.hourglass.core.engine.DelayEngine;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.NodeSnapshot;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.Coordinator;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What every server writes for the admin's charts and cluster view, on one thread it owns: every
 * {@value #PERIOD_SECONDS} s its per-app counts (into the store's 10-minute buckets, where all servers' deltas add
 * up) and a snapshot of itself (heartbeat, slots, wheel size, heap); once an hour it deletes snapshots older than
 * {@link #KEEP}. Each round is guarded: a failure is logged, counted in {@code hourglass.loop.errors{loop=admin-stats}},
 * and the counts that could not be written are carried to the next round.
 */
public final class ClusterSnapshots implements AutoCloseable {

    static final int PERIOD_SECONDS = 10;
    static final Duration KEEP = Duration.ofDays(7);

    private final AdminStore store;
    private final DelayEngine engine;
    private final Coordinator coordinator;
    private final DelayClock clock;
    private final LoopErrors errors;
    private final String address;
    private final String version;
    private final long startedAt;
    private final ScheduledExecutorService executor;
    private long lastPurge;

    public ClusterSnapshots(AdminStore store, DelayEngine engine, Coordinator coordinator, DelayClock clock,
                            MeterRegistry registry, String address, String version) {
        this.store = store;
        this.engine = engine;
        this.coordinator = coordinator;
        this.clock = clock;
        this.errors = LoopErrors.counter(registry);
        this.address = address;
        this.version = version;
        this.startedAt = clock.now();
        this.executor = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-admin-snapshots"));
    }

    /** Starts the rounds; the first one at once. */
    public void start() {
        executor.scheduleWithFixedDelay(this::round, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** One round (also called by tests and at close). */
    public void round() {
        Guarded.run("admin-stats", "node=" + coordinator.nodeId(), errors, this::snapshot);
    }

    private void snapshot() {
        long now = clock.now();
        List<AppStatPoint> deltas = engine.appStats().drain(now);
        if (!deltas.isEmpty()) {
            try {
                store.addAppStats(deltas);
            } catch (RuntimeException e) {
                engine.appStats().restore(deltas);
                throw e;
            }
        }
        Runtime rt = Runtime.getRuntime();
        store.saveNodeSnapshot(new NodeSnapshot(coordinator.nodeId(), address, version, startedAt, now,
                coordinator.ownedSlots().size(), engine.inMemory(), rt.totalMemory() - rt.freeMemory(),
                rt.maxMemory()));
        if (now - lastPurge > Duration.ofHours(1).toMillis()) {
            store.purgeNodeSnapshots(now - KEEP.toMillis());
            lastPurge = now;
        }
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        if (executor.awaitTermination(5, TimeUnit.SECONDS)) {
            round(); // the last counts of this server
        } else {
            executor.shutdownNow();
        }
    }
}
