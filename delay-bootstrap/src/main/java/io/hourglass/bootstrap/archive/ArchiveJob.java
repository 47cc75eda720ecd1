package io.hourglass.bootstrap.archive;

import io.hourglass.core.engine.Archiver;
import io.hourglass.core.spi.ClusterJobLock;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.quartz.QuartzJobBean;

import java.util.Optional;

/**
 * The Quartz job of the archive: one {@link Archiver#runOnce()} per firing, never two at once in a scheduler.
 * Spring creates each instance with its constructor (Boot's {@code SpringBeanJobFactory}). The archiver logs,
 * counts and swallows store failures itself, so a failed run does not make Quartz refire it.
 *
 * <p>When there is a {@link ClusterJobLock} (profile {@code redis}), a firing runs only on the server that takes the
 * lock {@value #LOCK}, and is skipped on the others (a DEBUG line): one archive at a time in the cluster, whichever
 * job store Quartz has. The lock is taken, held and released on the Quartz worker thread that runs the firing.
 * Without a lock bean every firing runs, as before.
 */
@DisallowConcurrentExecution
public final class ArchiveJob extends QuartzJobBean {

    /** Name of the cluster lock of the archive. */
    public static final String LOCK = "archive";

    private static final Logger log = LoggerFactory.getLogger(ArchiveJob.class);

    private final Archiver archiver;
    private final ClusterJobLock lock;

    public ArchiveJob(Archiver archiver, ObjectProvider<ClusterJobLock> lock) {
        this.archiver = archiver;
        this.lock = lock.getIfAvailable();
    }

    @Override
    protected void executeInternal(JobExecutionContext context) {
        if (lock == null) {
            archiver.runOnce();
            return;
        }
        Optional<ClusterJobLock.Held> held = lock.tryLock(LOCK);
        if (held.isEmpty()) {
            log.debug("Archive run skipped: another server holds the lock '{}'", LOCK);
            return;
        }
        try (ClusterJobLock.Held ignored = held.get()) {
            archiver.runOnce();
        }
    }
}
