package io.hourglass.bootstrap.archive;

import io.hourglass.bootstrap.e2e.MariaDbTestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The archive job's "one server at a time" on MySQL/MariaDB: two Quartz schedulers clustered through the tables of
 * the store's migration (V2__quartz_job_store.sql) on the real MariaDB, configured as profile mysql does. A job that
 * fires every 300 ms runs once per firing, never on both at once; when one scheduler goes away the other carries on.
 */
@Timeout(120)
class ClusteredQuartzTest {

    static final List<String> RUNS = new CopyOnWriteArrayList<>();
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger OVERLAPS = new AtomicInteger();

    private MariaDbTestDatabase database;
    private final List<Scheduler> schedulers = new ArrayList<>();

    @BeforeEach
    void migrate() throws Exception {
        database = MariaDbTestDatabase.create("hourglass_quartz_", 10);
        Flyway.configure().dataSource(database.url(), database.user(), database.password()).load().migrate();
        RUNS.clear();
        RUNNING.set(0);
        OVERLAPS.set(0);
    }

    @AfterEach
    void drop() throws Exception {
        for (Scheduler s : schedulers) {
            s.shutdown(true);
        }
        if (database != null) {
            database.close();
        }
    }

    private Scheduler scheduler(String instanceId) throws Exception {
        Properties p = new Properties();
        p.put("org.quartz.scheduler.instanceName", "hourglass");
        p.put("org.quartz.scheduler.instanceId", instanceId);
        p.put("org.quartz.threadPool.threadCount", "1");
        p.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        p.put("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.put("org.quartz.jobStore.isClustered", "true");
        p.put("org.quartz.jobStore.clusterCheckinInterval", "1000");
        String ds = "db-" + instanceId; // data sources are JVM-wide by name too
        p.put("org.quartz.jobStore.dataSource", ds);
        p.put("org.quartz.dataSource." + ds + ".provider", "hikaricp");
        p.put("org.quartz.dataSource." + ds + ".driver", "org.mariadb.jdbc.Driver");
        p.put("org.quartz.dataSource." + ds + ".URL", database.url());
        p.put("org.quartz.dataSource." + ds + ".user", database.user());
        p.put("org.quartz.dataSource." + ds + ".password", database.password());
        p.put("org.quartz.dataSource." + ds + ".maxConnections", "4");
        StdSchedulerFactory factory = new StdSchedulerFactory(p);
        Scheduler s = factory.getScheduler();
        // the JVM-wide repository keeps one scheduler per name; two servers are two JVMs, so forget this one here
        org.quartz.impl.SchedulerRepository.getInstance().remove("hourglass");
        schedulers.add(s);
        return s;
    }

    @Test
    void twoClusteredSchedulersRunEachFiringOnceAndNeverAtTheSameTime() throws Exception {
        Scheduler a = scheduler("a");
        Scheduler b = scheduler("b");
        a.scheduleJob(JobBuilder.newJob(RecordingJob.class).withIdentity("archive", "hourglass").build(),
                TriggerBuilder.newTrigger().withIdentity("archive", "hourglass").startNow()
                        .withSchedule(SimpleScheduleBuilder.repeatSecondlyForever().withIntervalInMilliseconds(300)
                                .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build());
        a.start();
        b.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> RUNS.size() >= 15);
        assertThat(OVERLAPS).as("runs of the job at the same time").hasValue(0);
        List<String> runs = List.copyOf(RUNS); // the job keeps running meanwhile
        assertThat(runs.stream().map(r -> r.substring(r.indexOf('@'))).distinct().count())
                .as("each firing (scheduled time) ran once, on one of the two").isEqualTo(runs.size());

        a.shutdown(true); // one server leaves: the other keeps running the job
        int before = RUNS.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> RUNS.size() >= before + 5);
        assertThat(RUNS.subList(before, RUNS.size())).allMatch(r -> r.startsWith("b@"));
        assertThat(OVERLAPS).hasValue(0);
    }

    /** Records who ran which firing, and whether two runs ever overlapped. */
    @DisallowConcurrentExecution
    public static class RecordingJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            if (RUNNING.incrementAndGet() > 1) {
                OVERLAPS.incrementAndGet();
            }
            try {
                RUNS.add(uncheckedInstance(context) + "@" + context.getScheduledFireTime().getTime());
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                RUNNING.decrementAndGet();
            }
        }

        private static String uncheckedInstance(JobExecutionContext context) {
            try {
                return context.getScheduler().getSchedulerInstanceId();
            } catch (Exception e) {
                return "?";
            }
        }
    }
}
