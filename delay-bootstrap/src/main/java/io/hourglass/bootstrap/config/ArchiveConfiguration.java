package io.hourglass.bootstrap.config;

import io.hourglass.bootstrap.archive.ArchiveJob;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.Archiver;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.TimeZone;

/**
 * The archive job: Boot's Quartz scheduler (RAM job store; a standalone server is the only one running it) fires
 * {@link ArchiveJob} on {@code delay.store.archive-scheduler}, which runs the {@link Archiver} over every slot.
 * A cluster will need Quartz's clustered JDBC job store, so that one server at a time runs it (docs/operations.md).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StoreProperties.class)
public class ArchiveConfiguration {

    /** Identity of the job in the scheduler. */
    public static final JobKey JOB = JobKey.jobKey("hourglass-archive", "hourglass");
    /** Identity of its cron trigger. */
    public static final TriggerKey TRIGGER = TriggerKey.triggerKey("hourglass-archive", "hourglass");

    @Bean
    Archiver archiver(MessageStore store, Coordinator coordinator, StoreProperties archive, DelayClock clock,
                      MeterRegistry registry) {
        return new Archiver(store, coordinator.slotCount(), archive.retention(), archive.archiveBatchSize(),
                archive.maxPerRun(), clock, registry);
    }

    @Bean
    JobDetail archiveJobDetail() {
        return JobBuilder.newJob(ArchiveJob.class).withIdentity(JOB)
                .withDescription("Deletes finished messages older than delay.store.retention")
                .storeDurably()
                .build();
    }

    @Bean
    Trigger archiveTrigger(JobDetail archiveJobDetail, StoreProperties archive) {
        return TriggerBuilder.newTrigger().forJob(archiveJobDetail).withIdentity(TRIGGER)
                .withSchedule(CronScheduleBuilder.cronSchedule(archive.archiveScheduler())
                        .inTimeZone(TimeZone.getTimeZone("UTC"))
                        .withMisfireHandlingInstructionDoNothing()) // a missed run is not made up: the next one catches up
                .build();
    }
}
