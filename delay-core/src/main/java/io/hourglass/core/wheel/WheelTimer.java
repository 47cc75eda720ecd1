package io.hourglass.core.wheel;

import io.hourglass.core.clock.DelayClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;

/**
 * Drives a {@link TimingWheel} from its own thread and queues what falls due for the firing workers.
 *
 * <p>Tick versus accuracy: the driver wakes every millisecond while it holds entries (every 10 ms when empty, and
 * at once when an entry is added to an empty wheel), so an entry is handed out within about a millisecond of its
 * time, and never before it: the wheel only releases {@code fireAt <= clock.now()}.
 *
 * <p>Thread-safe: {@link #schedule}, {@link #poll} and {@link #removeIf} may be called from any thread. The ready
 * queue is unbounded, but it holds only what the wheel held before, so memory stays within the preload cap.
 * {@link #close()} stops the driver and hands back what was not fired.
 *
 * <p>The timer has no thread of its own: its owner runs {@link #drive} as a worker of its
 * {@link io.hourglass.core.concurrent.Loops} (a thread in a server), or calls {@link #tick()} by hand in a test.
 */
public final class WheelTimer implements AutoCloseable {

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final DelayClock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readyNotEmpty = lock.newCondition();
    private final TimingWheel wheel;
    private final LongPairQueue ready = new LongPairQueue();
    private final DueSink toReady = ready::add;
    /** The thread running {@link #drive}, woken when the first entry is filed into an empty wheel. */
    private volatile Thread driver;
    private volatile boolean running = true;

    public WheelTimer(DelayClock clock) {
        this.clock = clock;
        this.wheel = new TimingWheel(clock.now());
    }

    /** Files an entry; one already due goes straight to the ready queue. */
    public void schedule(long fireAt, long id) {
        boolean wake;
        lock.lock();
        try {
            wake = wheel.size() == 0;
            if (!wheel.schedule(fireAt, id)) {
                ready.add(fireAt, id);
                readyNotEmpty.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        Thread d = driver;
        if (wake && d != null) {
            LockSupport.unpark(d);
        }
    }

    /**
     * Takes up to {@code max} due entries, waiting up to {@code waitMillis} for one.
     *
     * @return the number of pairs written to {@code fireAts} / {@code ids}
     */
    public int poll(long[] fireAts, long[] ids, int max, long waitMillis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (ready.size() == 0) {
                if (nanos <= 0 || !running) {
                    return 0;
                }
                nanos = readyNotEmpty.awaitNanos(nanos);
            }
            int n = ready.poll(fireAts, ids, max);
            if (ready.size() > 0) {
                readyNotEmpty.signal();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Drops the entries whose id matches, from the wheel and the ready queue. Returns how many. */
    public int removeIf(LongPredicate idMatches) {
        lock.lock();
        try {
            return wheel.removeIf(idMatches) + ready.removeIf(idMatches);
        } finally {
            lock.unlock();
        }
    }

    /** Entries waiting in the wheel plus entries due and not yet taken. */
    public int size() {
        lock.lock();
        try {
            return wheel.size() + ready.size();
        } finally {
            lock.unlock();
        }
    }

    /** Entries due and not yet taken by a firing worker (the firing backlog). */
    public int readySize() {
        lock.lock();
        try {
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Advances the wheel to the clock once (the driver does this every tick; tests may call it directly).
     *
     * @return {@code true} if entries fell due
     */
    public boolean tick() {
        long now = clock.now();
        lock.lock();
        try {
            int before = ready.size();
            wheel.advance(now, toReady);
            if (ready.size() > before) {
                readyNotEmpty.signalAll();
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One step of the driver: advances the wheel to the clock, then (given a wait) parks until the next tick, or
     * longer while the wheel is empty (a {@link #schedule} into the empty wheel wakes it).
     *
     * @return {@code true} if entries fell due in this step
     */
    public boolean drive(long waitMillis) {
        driver = Thread.currentThread();
        boolean moved = tick();
        if (waitMillis > 0 && running) {
            LockSupport.parkNanos(this, Math.min(TimeUnit.MILLISECONDS.toNanos(waitMillis),
                    wheelEmpty() ? IDLE_NANOS : TICK_NANOS));
        }
        return moved;
    }

    private boolean wheelEmpty() {
        lock.lock();
        try {
            return wheel.size() == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Stops waiting pollers and hands every unfired entry to {@code sink} (stop the driver's loop first). */
    public void close(DueSink sink) {
        running = false;
        lock.lock();
        try {
            readyNotEmpty.signalAll();
            ready.drainTo(sink);
            wheel.drainAll(sink);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        close((f, id) -> { });
    }
}
