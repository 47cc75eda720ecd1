package io.hourglass.core.concurrent;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * How a component runs its background work, so that the same code runs on threads in a server
 * ({@link ThreadLoops}) and is stepped by hand in a test ({@link ManualLoops}): a test then advances a manual clock
 * and runs every loop to quiescence, and can assert that something did <em>not</em> happen without sleeping.
 *
 * <p>Rounds of the same {@code loop} name never run concurrently with each other. Rounds are not guarded here: wrap
 * them with {@link Guarded#round} where a failure must not end the loop.
 */
public interface Loops {

    /** Runs {@code round} every {@code period} (fixed delay, first after {@code initialDelay}) until closed. */
    void every(String loop, Duration initialDelay, Duration period, Runnable round);

    /** Runs {@code round} once, soon, serialised with the other rounds of {@code loop}. */
    void soon(String loop, Runnable round);

    /**
     * A worker that waits for work itself (a blocking poll): called again and again until closed, each call waiting
     * at most {@code waitMillis} for work. Stepped by hand it is called with a wait of 0 until it reports no work.
     */
    void worker(String name, Worker worker);

    /** An executor of {@code threads} threads for hand-offs (runs the task in the caller when stepped by hand). */
    Executor pool(String name, int threads);

    /** Stops the periodic rounds (the ones running finish); workers and pools keep going. */
    void stopRounds();

    /**
     * Stops the workers and then the pools, waiting up to {@code grace} for the pools' tasks.
     *
     * @return {@code false} if tasks were still running at the end of the grace
     */
    boolean stopAll(Duration grace);

    /** One step of a worker. */
    @FunctionalInterface
    interface Worker {
        /** @return {@code true} if it did some work (stepping by hand calls it again) */
        boolean step(long waitMillis) throws InterruptedException;
    }
}
