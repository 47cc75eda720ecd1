package io.hourglass.core.concurrent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@link Loops} on threads: one single-thread scheduler per loop name (so a loop's rounds never overlap), one thread
 * per worker, fixed pools; every thread a named daemon ({@link NamedThreads}).
 */
public final class ThreadLoops implements Loops {

    private static final Logger log = LoggerFactory.getLogger(ThreadLoops.class);
    /** How long a worker waits for work before it checks whether it should stop. */
    static final long WORKER_WAIT_MILLIS = 100;
    private static final long WORKER_JOIN_MILLIS = TimeUnit.SECONDS.toMillis(10);

    private final Map<String, ScheduledExecutorService> schedulers = new ConcurrentHashMap<>();
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    private ScheduledExecutorService scheduler(String loop) {
        return schedulers.computeIfAbsent(loop, name -> Executors.newSingleThreadScheduledExecutor(NamedThreads.single(name)));
    }

    @Override
    public void every(String loop, Duration initialDelay, Duration period, Runnable round) {
        scheduler(loop).scheduleWithFixedDelay(round, initialDelay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void soon(String loop, Runnable round) {
        ScheduledExecutorService scheduler = scheduler(loop);
        if (!scheduler.isShutdown()) {
            scheduler.execute(round);
        }
    }

    @Override
    public void worker(String name, Worker worker) {
        Thread t = NamedThreads.daemon(name, () -> {
            while (running) {
                try {
                    worker.step(WORKER_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t2) { // a worker guards its own steps; this is the last line
                    log.error("{} failed a step; continuing", name, t2);
                }
            }
        });
        workers.add(t);
        t.start();
    }

    @Override
    public Executor pool(String name, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, NamedThreads.numbered(name));
        pools.add(pool);
        return pool;
    }

    @Override
    public void stopRounds() {
        schedulers.values().forEach(ExecutorService::shutdownNow);
    }

    @Override
    public boolean stopAll(Duration grace) {
        stopRounds();
        running = false;
        for (Thread t : workers) {
            try {
                t.join(WORKER_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pools.forEach(ExecutorService::shutdown);
        long deadline = System.nanoTime() + grace.toNanos();
        boolean finished = true;
        for (ExecutorService pool : pools) {
            try {
                finished &= pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return finished;
    }
}
