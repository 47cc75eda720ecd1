package io.hourglass.redis;

import io.hourglass.core.spi.ClusterJobLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link ClusterJobLock} on Redisson {@link RLock}s ({@code <prefix>:job:<job>}), taken without a lease time so that
 * Redisson's watchdog keeps extending it (by {@code lockWatchdogTimeout}, 30 s, every 10 s) for as long as this
 * server holds it and stays connected; a server that dies or loses Redis loses the lock within 30 s.
 *
 * <p><b>Threads.</b> An {@code RLock} belongs to a client and a thread: take the lock, run the job and close the
 * handle on the same thread (the Quartz job thread, for the archive). Another thread of this server, like another
 * server, cannot take it meanwhile. {@link Held#close()} releases exactly the hold it stands for (by the id of the
 * thread that took it, so closing it elsewhere does not leave a lock that the watchdog renews forever), once.
 *
 * <p><b>Failures.</b> When Redis cannot be asked, {@link #tryLock} logs a WARN and answers empty, as if another
 * server held the lock: the job is skipped rather than run twice. A release that fails is logged; the lock then
 * expires by itself (the watchdog stops with the release). The lock is no fence: a server paused for longer than the
 * watchdog timeout may still run while another has taken it, so jobs under it must stay safe to repeat.
 */
public final class RedisClusterJobLock implements ClusterJobLock {

    private static final Logger log = LoggerFactory.getLogger(RedisClusterJobLock.class);

    private final RedissonClient redisson;
    private final String namePrefix;

    /** @param namePrefix prefix of the locks' names ({@code hourglass:job:}); the job's name follows */
    public RedisClusterJobLock(RedissonClient redisson, String namePrefix) {
        this.redisson = redisson;
        this.namePrefix = namePrefix;
    }

    @Override
    public Optional<Held> tryLock(String job) {
        RLock lock = redisson.getLock(namePrefix + job);
        try {
            // no lease time: the watchdog extends it while held
            if (!lock.tryLock(0, TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            log.warn("[job={}] cannot take the job's lock in Redis: skipping this run", job, e);
            return Optional.empty();
        }
        return Optional.of(new RedisHeld(lock, job, Thread.currentThread().getId()));
    }

    private static final class RedisHeld implements Held {
        private final RLock lock;
        private final String job;
        private final long ownerThreadId;
        private final AtomicBoolean closed = new AtomicBoolean();

        RedisHeld(RLock lock, String job, long ownerThreadId) {
            this.lock = lock;
            this.job = job;
            this.ownerThreadId = ownerThreadId;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                // unlocking (even when it fails) also stops the watchdog's renewals of this hold
                lock.unlockAsync(ownerThreadId).toCompletableFuture().join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IllegalMonitorStateException) {
                    log.warn("[job={}] the job's lock was lost while held (Redis unreachable for longer than the"
                            + " watchdog timeout?)", job);
                } else {
                    log.warn("[job={}] cannot release the job's lock: it expires by itself", job, e.getCause());
                }
            } catch (RuntimeException e) {
                log.warn("[job={}] cannot release the job's lock: it expires by itself", job, e);
            }
        }

        @Override
        public String toString() {
            return "Held[" + lock.getName() + "]";
        }
    }
}
