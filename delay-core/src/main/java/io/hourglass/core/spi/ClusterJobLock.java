package io.hourglass.core.spi;

import java.util.Optional;

/**
 * Lets one server at a time run a cluster-wide job (the archive, and any later one) where the scheduler itself does
 * not guarantee it (Quartz's clustered job store needs JDBC; Cassandra has none). Redisson's {@code RLock} with its
 * watchdog implements it in profile {@code redis}.
 */
public interface ClusterJobLock {

    /**
     * Takes the lock named {@code job} if no other server holds it, without waiting.
     *
     * @return a handle that releases the lock when closed, or empty when another server holds it
     */
    Optional<Held> tryLock(String job);

    /** A held lock. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
