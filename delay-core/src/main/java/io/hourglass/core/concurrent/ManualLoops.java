package io.hourglass.core.concurrent;

import io.hourglass.core.clock.DelayClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * {@link Loops} stepped by hand, on the caller's thread, against a (manual) {@link DelayClock}: nothing runs until
 * {@link #runDue()}, which runs the queued rounds, every periodic round due at the clock's time, and every worker
 * until none finds work, over and over until all is quiet. Pools run their tasks in the caller. A test moves the clock,
 * calls {@code runDue()} and asserts: what did not happen cannot happen later behind its back.
 */
public final class ManualLoops implements Loops {

    /** Rounds of one {@link #runDue()} after which it gives up: some loop keeps making work for itself. */
    private static final int MAX_PASSES = 10_000;

    private final DelayClock clock;
    private final Queue<Runnable> queued = new ConcurrentLinkedQueue<>();
    private final List<Periodic> periodic = new CopyOnWriteArrayList<>();
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private volatile boolean roundsStopped;
    private volatile boolean stopped;

    public ManualLoops(DelayClock clock) {
        this.clock = clock;
    }

    private static final class Periodic {
        final Runnable round;
        final long period;
        long nextAt;

        Periodic(Runnable round, long nextAt, long period) {
            this.round = round;
            this.nextAt = nextAt;
            this.period = period;
        }
    }

    @Override
    public void every(String loop, Duration initialDelay, Duration period, Runnable round) {
        periodic.add(new Periodic(round, clock.now() + initialDelay.toMillis(), Math.max(1, period.toMillis())));
    }

    @Override
    public void soon(String loop, Runnable round) {
        queued.add(round);
    }

    @Override
    public void worker(String name, Worker worker) {
        workers.add(worker);
    }

    @Override
    public Executor pool(String name, int threads) {
        return Runnable::run;
    }

    /**
     * Runs everything that is due at the clock's time now, to quiescence.
     *
     * @return how many rounds and worker steps did something
     */
    public synchronized int runDue() {
        int done = 0;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            int before = done;
            for (Runnable r; !stopped && (r = queued.poll()) != null; ) {
                r.run();
                done++;
            }
            long now = clock.now();
            for (Periodic p : new ArrayList<>(periodic)) {
                if (!roundsStopped && p.nextAt <= now) {
                    p.round.run();
                    p.nextAt = now + p.period;
                    done++;
                }
            }
            for (Worker w : workers) {
                try {
                    while (!stopped && w.step(0)) {
                        done++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while stepping", e);
                }
            }
            if (done == before && queued.isEmpty()) {
                return done;
            }
        }
        throw new IllegalStateException("still busy after " + MAX_PASSES + " passes: a loop keeps making work");
    }

    @Override
    public void stopRounds() {
        roundsStopped = true;
    }

    @Override
    public boolean stopAll(Duration grace) {
        roundsStopped = true;
        stopped = true;
        return true;
    }
}
