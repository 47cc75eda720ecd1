package io.hourglass.core.engine;

import io.hourglass.core.concurrent.LoopErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/** The engine's meters, created once. Names are documented in docs/operations.md. */
public final class DelayMetrics {

    /**
     * Bounds of the lateness histogram that people read (the admin console's buckets): each is also a bucket bound of
     * {@code hourglass.fire.lateness} in every registry (as service-level objectives), so that counts up to each of
     * them are exact, and registries that publish no percentile histogram (Micrometer's simple registry) still have
     * these buckets.
     */
    public static final List<Duration> LATENESS_BOUNDS = Stream.of(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)
            .map(Duration::ofMillis).toList();

    final Counter accepted;
    final Counter fired;
    final Counter late;
    final Counter early;
    final Counter retried;
    final Counter dead;
    final Counter deadLettered;
    final Counter expired;
    final Counter replayed;
    final Counter duplicates;
    final Counter claimsLost;
    final Counter swept;
    final Counter held;
    final Timer lateness;
    final Timer storeInsert;
    final Timer storeClaim;
    final Timer emit;
    final AppStats appStats = new AppStats();
    final TopicCounts firedByTopic = new TopicCounts(TopicCounts.MAX_TOPICS);
    private final MeterRegistry registry;
    private final Set<Integer> backlogGauges = ConcurrentHashMap.newKeySet();
    private final LoopErrors loopErrors;

    public DelayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.loopErrors = LoopErrors.counter(registry);
        accepted = Counter.builder("hourglass.messages.accepted").description("Messages durably accepted").register(registry);
        fired = Counter.builder("hourglass.messages.fired").description("Messages emitted and acknowledged by the target").register(registry);
        late = Counter.builder("hourglass.messages.late").description("Messages emitted later than delay.core.late-threshold after their due time").register(registry);
        early = Counter.builder("hourglass.messages.early").description("Messages emitted before their due time: must stay 0").register(registry);
        retried = Counter.builder("hourglass.messages.retried").description("Emit failures scheduled for a retry with backoff").register(registry);
        dead = Counter.builder("hourglass.messages.dead").description("Messages given up after delay.core.max-attempts").register(registry);
        expired = Counter.builder("hourglass.messages.expired").description("Messages claimed at or after their expiresAt: never emitted, EXPIRED").register(registry);
        replayed = Counter.builder("hourglass.messages.replayed").description("DELIVERED messages emitted again on request (x-delay-replay: true), acknowledged by their target").register(registry);
        deadLettered = Counter.builder("hourglass.messages.dead.lettered").description("Copies of DEAD messages acknowledged by their dead-letter topic").register(registry);
        duplicates = Counter.builder("hourglass.messages.duplicates").description("Stuck claims released for re-firing: each may be emitted twice").register(registry);
        held = Counter.builder("hourglass.messages.held").description("Due messages of disabled apps put back unemitted (re-checked every 30 s)").register(registry);
        claimsLost = Counter.builder("hourglass.claims.lost").description("Due entries whose claim found the message cancelled, rescheduled or already fired").register(registry);
        swept = Counter.builder("hourglass.messages.swept").description("Overdue messages re-queued by the sweeper").register(registry);
        lateness = Timer.builder("hourglass.fire.lateness").description("Emit time minus due time")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .serviceLevelObjectives(LATENESS_BOUNDS.toArray(Duration[]::new))
                .register(registry);
        storeInsert = Timer.builder("hourglass.store.latency").tag("op", "insert").register(registry);
        storeClaim = Timer.builder("hourglass.store.latency").tag("op", "claim").register(registry);
        emit = Timer.builder("hourglass.emit.latency").description("Time from emit to the target's acknowledgement of a batch").register(registry);
        // the engine's loops at 0 from the start: an alert on increase() sees the first error, and the series exists
        for (String loop : new String[] {"firing", "claim", "record", "preload", "sweep", "backlog", "group-commit"}) {
            loopErrors.register(loop);
        }
    }

    /** Per-app counts since the admin side last drained them. */
    public AppStats appStats() {
        return appStats;
    }

    /** Per-topic counts of fired messages since start (bounded: see {@link TopicCounts}). */
    TopicCounts firedByTopic() {
        return firedByTopic;
    }

    /**
     * Emit time minus due time of one fired message. A negative lateness (fired before its due time, which the engine
     * must never do) counts in {@code hourglass.messages.early} and is recorded as 0 in the timer.
     */
    void recordLateness(long millis) {
        if (millis < 0) {
            early.increment();
        }
        lateness.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** A get/cancel/reschedule routed to the slot's owner: {@code forwarded}, or {@code local} when it was unreachable. */
    void routed(String outcome) {
        registry.counter("hourglass.requests.routed", "outcome", outcome).increment();
    }

    /**
     * The gauge of one slot's SCHEDULED count, once per slot (Micrometer warns of a gauge registered twice), so a
     * slot added to the list after start gets one when it is first assigned.
     */
    void slotBacklog(int slot, AtomicLongArray backlog) {
        if (!backlogGauges.add(slot)) {
            return;
        }
        Gauge.builder("hourglass.slot.backlog", backlog, b -> b.get(slot))
                .tag("slot", Integer.toString(slot))
                .description("SCHEDULED messages of an owned slot (refreshed every 30 s; 0 once released)")
                .register(registry);
    }

    void loopError(String loop) {
        loopErrors.failed(loop);
    }
}
