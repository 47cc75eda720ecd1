package io.hourglass.bootstrap.archive;

import io.hourglass.core.engine.Archiver;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.springframework.scheduling.quartz.QuartzJobBean;

/**
 * The Quartz job of the archive: one {@link Archiver#runOnce()} per firing, never two at once in a scheduler.
 * Spring creates each instance with its constructor (Boot's {@code SpringBeanJobFactory}). The archiver logs,
 * counts and swallows store failures itself, so a failed run does not make Quartz refire it.
 */
@DisallowConcurrentExecution
public final class ArchiveJob extends QuartzJobBean {

    private final Archiver archiver;

    public ArchiveJob(Archiver archiver) {
        this.archiver = archiver;
    }

    @Override
    protected void executeInternal(JobExecutionContext context) {
        archiver.runOnce();
    }
}
