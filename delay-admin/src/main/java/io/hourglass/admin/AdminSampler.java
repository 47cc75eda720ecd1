package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.concurrent.Guarded;
import io.hourglass.core.concurrent.LoopErrors;
import io.hourglass.core.concurrent.NamedThreads;
import io.hourglass.core.spi.Coordinator;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The thread behind the console's live figures: every {@value #PERIOD_SECONDS} s it takes a sample of this server's
 * meters ({@link LiveFigures}) and of the slot map ({@link Rebalances}). One daemon thread, started by
 * {@link #start} and stopped by {@link #close}. Each part of a round is guarded: a failure is logged, counted in
 * {@code hourglass.loop.errors{loop=admin-sampler}}, and the next round runs as usual.
 */
public final class AdminSampler implements AutoCloseable {

    static final int PERIOD_SECONDS = 5;
    private static final String LOOP = "admin-sampler";

    private final LiveFigures live;
    private final Rebalances rebalances;
    private final Coordinator coordinator;
    private final DelayClock clock;
    private final LoopErrors errors;
    private final ScheduledExecutorService executor;

    public AdminSampler(LiveFigures live, Rebalances rebalances, Coordinator coordinator, DelayClock clock,
                        MeterRegistry registry) {
        this.live = live;
        this.rebalances = rebalances;
        this.coordinator = coordinator;
        this.clock = clock;
        this.errors = LoopErrors.counter(registry);
        this.executor = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-admin-sampler"));
    }

    /** Starts the rounds; the first one at once. */
    public void start() {
        executor.scheduleAtFixedRate(this::round, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** One round (also called by tests). */
    public void round() {
        String who = "node=" + coordinator.nodeId();
        Guarded.run(LOOP, who, errors, live::sample);
        Guarded.run(LOOP, who, errors, () -> rebalances.observe(coordinator.slotOwners(), clock.now()));
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
