package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.concurrent.NamedThreads;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Background jobs of the admin API (bulk cancel by filter, disabling an app with its messages), run one at a time on
 * one thread this object owns, with their progress readable while they run.
 *
 * <p>Jobs live in the memory of the server that runs them: the latest {@value #KEPT} are kept, and a restart loses
 * the record (not the work done: each cancel is committed on its own, and running the job again finishes it).
 */
public final class AdminJobs implements AutoCloseable {

    static final int KEPT = 200;

    /** What a job does; reports progress through the counters of its {@link Job}. */
    @FunctionalInterface
    public interface Work {
        void run(Job job) throws Exception;
    }

    public enum State { QUEUED, RUNNING, SUCCEEDED, FAILED }

    /** A job and its live progress. */
    public static final class Job {
        private final String id;
        private final String type;
        private final String actor;
        private final Object request;
        private final long createdAt;
        private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
        final AtomicLong matched = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private volatile long finishedAt;
        private volatile String error;

        Job(String id, String type, String actor, Object request, long createdAt) {
            this.id = id;
            this.type = type;
            this.actor = actor;
            this.request = request;
            this.createdAt = createdAt;
        }

        public void matched(long n) {
            matched.addAndGet(n);
        }

        public void done(long n) {
            done.addAndGet(n);
        }

        public void failed(long n) {
            failed.addAndGet(n);
        }

        public View view() {
            return new View(id, type, actor, request, state.get(), matched.get(), done.get(), failed.get(), createdAt,
                    finishedAt == 0 ? null : finishedAt, error);
        }
    }

    /** What the API shows of a job. */
    public record View(String id, String type, String actor, Object request, State state, long matched, long done,
                       long failed, long createdAt, Long finishedAt, String error) {
    }

    private final DelayClock clock;
    private final ExecutorService executor;
    private final Map<String, Job> jobs = new LinkedHashMap<>();

    public AdminJobs(DelayClock clock) {
        this.clock = clock;
        this.executor = Executors.newSingleThreadExecutor(NamedThreads.single("hourglass-admin-jobs"));
    }

    /** Queues a job; returns at once. */
    public Job submit(String type, String actor, Object request, Work work) {
        Job job = new Job(UUID.randomUUID().toString(), type, actor, request, clock.now());
        synchronized (jobs) {
            jobs.put(job.id, job);
            while (jobs.size() > KEPT) {
                jobs.remove(jobs.keySet().iterator().next());
            }
        }
        executor.execute(() -> {
            job.state.set(State.RUNNING);
            try {
                work.run(job);
                job.state.set(State.SUCCEEDED);
            } catch (Throwable e) {
                job.error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                job.state.set(State.FAILED);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            } finally {
                job.finishedAt = clock.now();
            }
        });
        return job;
    }

    public Optional<View> find(String id) {
        synchronized (jobs) {
            return Optional.ofNullable(jobs.get(id)).map(Job::view);
        }
    }

    /** Newest first. */
    public List<View> list() {
        List<View> views = new ArrayList<>();
        synchronized (jobs) {
            jobs.values().forEach(j -> views.add(j.view()));
        }
        views.sort(Comparator.comparingLong(View::createdAt).reversed());
        return views;
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
