package io.hourglass.bootstrap.archive;

import io.hourglass.bootstrap.config.ArchiveConfiguration;
import io.hourglass.bootstrap.config.HourglassCoreConfiguration;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.Archiver;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.ClusterJobLock;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.testing.InMemoryAppStore;
import io.hourglass.core.testing.InMemoryMessageStore;
import io.hourglass.core.testing.ManualClock;
import io.hourglass.core.testing.RecordingEmitter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quartz.CronTrigger;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.impl.matchers.KeyMatcher;
import org.quartz.listeners.JobListenerSupport;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The archive job is scheduled on the configured cron, purges old finished messages, runs only under the cluster lock
 * when there is one, and refuses bad settings.
 */
@Timeout(60)
class ArchiveJobTest {

    private static final long NOW = 1_763_700_000_000L;

    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final ManualClock clock = new ManualClock(NOW);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(QuartzAutoConfiguration.class))
            .withUserConfiguration(HourglassCoreConfiguration.class, ArchiveConfiguration.class)
            .withPropertyValues("delay.bootstrap-app.enabled=false")
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withBean(DelayClock.class, () -> clock)
            .withBean(MessageStore.class, () -> store)
            .withBean(AppStore.class, InMemoryAppStore::new)
            .withBean(MessageEmitter.class, RecordingEmitter::new);

    @Test
    void jobIsScheduledEveryThreeHoursByDefaultAndNeverRunsTwiceAtOnce() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Scheduler scheduler = ctx.getBean(Scheduler.class);
            JobDetail job = scheduler.getJobDetail(ArchiveConfiguration.JOB);
            assertThat(job.getJobClass()).isEqualTo(ArchiveJob.class);
            assertThat(job.isConcurrentExectionDisallowed()).isTrue();
            CronTrigger trigger = (CronTrigger) scheduler.getTrigger(ArchiveConfiguration.TRIGGER);
            assertThat(trigger.getCronExpression()).isEqualTo("0 0 0/3 * * ?");
            assertThat(trigger.getJobKey()).isEqualTo(ArchiveConfiguration.JOB);
            assertThat(trigger.getTimeZone().getID()).isEqualTo("UTC");
        });
    }

    @Test
    void configuredCronIsTheTriggersSchedule() {
        runner.withPropertyValues("delay.store.archive-scheduler=0 15 2 * * ?").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            CronTrigger trigger = (CronTrigger) ctx.getBean(Scheduler.class).getTrigger(ArchiveConfiguration.TRIGGER);
            assertThat(trigger.getCronExpression()).isEqualTo("0 15 2 * * ?");
        });
    }

    @Test
    void triggeringTheJobPurgesFinishedMessagesOlderThanTheRetention() {
        runner.withPropertyValues("delay.store.retention=2d").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            long threeDaysAgo = NOW - Duration.ofDays(3).toMillis();
            long yesterday = NOW - Duration.ofDays(1).toMillis();
            DelayMessage old = delivered(5, threeDaysAgo);
            DelayMessage recent = delivered(6, yesterday);
            DelayMessage scheduled = scheduled(7, threeDaysAgo);

            ctx.getBean(Scheduler.class).triggerJob(ArchiveConfiguration.JOB);

            await().atMost(Duration.ofSeconds(30)).until(() -> store.get(old.id()).isEmpty());
            assertThat(store.get(recent.id())).isPresent();
            assertThat(store.get(scheduled.id())).isPresent();
            assertThat(ctx.getBean(MeterRegistry.class).get("hourglass.messages.archived").counter().count())
                    .isEqualTo(1.0);
        });
    }

    @Test
    void withTheClusterLockHeldElsewhereAFiringDoesNotRun() {
        RecordingLock lock = new RecordingLock(false);
        runner.withPropertyValues("delay.store.retention=2d").withBean(ClusterJobLock.class, () -> lock).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            DelayMessage old = delivered(5, NOW - Duration.ofDays(3).toMillis());
            Scheduler scheduler = ctx.getBean(Scheduler.class);
            CountDownLatch fired = firings(scheduler);

            scheduler.triggerJob(ArchiveConfiguration.JOB);

            assertThat(fired.await(30, TimeUnit.SECONDS)).as("the firing completed").isTrue();
            assertThat(lock.asked).containsExactly(ArchiveJob.LOCK);
            assertThat(store.get(old.id())).as("not archived by this server").isPresent();
            assertThat(ctx.getBean(MeterRegistry.class).get("hourglass.messages.archived").counter().count())
                    .isZero();
        });
    }

    @Test
    void withTheClusterLockFreeAFiringRunsUnderItAndReleasesIt() {
        RecordingLock lock = new RecordingLock(true);
        runner.withPropertyValues("delay.store.retention=2d").withBean(ClusterJobLock.class, () -> lock).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            DelayMessage old = delivered(5, NOW - Duration.ofDays(3).toMillis());
            Scheduler scheduler = ctx.getBean(Scheduler.class);
            CountDownLatch fired = firings(scheduler);

            scheduler.triggerJob(ArchiveConfiguration.JOB);

            assertThat(fired.await(30, TimeUnit.SECONDS)).as("the firing completed").isTrue();
            assertThat(store.get(old.id())).isEmpty();
            assertThat(lock.asked).containsExactly(ArchiveJob.LOCK);
            assertThat(lock.releasedOn).as("released, on the thread that took it").isEqualTo(lock.takenOn);
        });
    }

    /** Counts down when a firing of the archive job has finished (after the job's execute returned). */
    private static CountDownLatch firings(Scheduler scheduler) throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        scheduler.getListenerManager().addJobListener(new JobListenerSupport() {
            @Override
            public String getName() {
                return "test-firings";
            }

            @Override
            public void jobWasExecuted(JobExecutionContext context, JobExecutionException jobException) {
                fired.countDown();
            }
        }, KeyMatcher.keyEquals(ArchiveConfiguration.JOB));
        return fired;
    }

    /** A {@link ClusterJobLock} that is free or held by another server, and records its use. */
    private static final class RecordingLock implements ClusterJobLock {
        final List<String> asked = new CopyOnWriteArrayList<>();
        final boolean free;
        volatile Thread takenOn;
        volatile Thread releasedOn;

        RecordingLock(boolean free) {
            this.free = free;
        }

        @Override
        public Optional<Held> tryLock(String job) {
            asked.add(job);
            if (!free) {
                return Optional.empty();
            }
            takenOn = Thread.currentThread();
            return Optional.of(() -> releasedOn = Thread.currentThread());
        }
    }

    @Test
    void archiverBeanRunsOverEverySlotOfTheCoordinator() {
        runner.withPropertyValues("delay.protocol.slot-count=8").run(ctx -> {
            DelayMessage inLastSlot = delivered(7, NOW - Duration.ofDays(8).toMillis());

            assertThat(ctx.getBean(Archiver.class).runOnce()).isEqualTo(1);

            assertThat(store.get(inLastSlot.id())).isEmpty();
        });
    }

    @Test
    void invalidCronFailsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.store.archive-scheduler=every three hours").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.store.archive-scheduler").contains("every three hours");
        });
    }

    @Test
    void retentionBelowAMinuteFailsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.store.retention=10s").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.store.retention");
        });
    }

    @Test
    void batchSizeOutOfRangeFailsTheStartNamingTheKey() {
        runner.withPropertyValues("delay.store.archive-batch-size=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(failure(ctx)).contains("delay.store.archive-batch-size");
        });
    }

    // ---------------------------------------------------------------- helpers

    private final MessageIds ids = new MessageIds();
    private long tokens;

    private DelayMessage scheduled(int slot, long at) {
        DelayMessage m = DelayMessage.scheduled(ids.next(slot, at), "app", "t", null, "p", null, at, null, at, null);
        store.insert(List.of(m));
        return m;
    }

    private DelayMessage delivered(int slot, long at) {
        DelayMessage m = scheduled(slot, at);
        long token = ++tokens;
        assertThat(store.claim(List.of(m.id()), at, token)).hasSize(1);
        assertThat(store.markDelivered(List.of(m.id()), token, at)).isEqualTo(1);
        assertThat(store.get(m.id()).orElseThrow().state()).isEqualTo(MessageState.DELIVERED);
        return m;
    }

    private static String failure(AssertableApplicationContext ctx) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = ctx.getStartupFailure(); t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
