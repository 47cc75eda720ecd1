package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.concurrent.Guarded;
import io.hourglass.core.concurrent.Lifecycle;
import io.hourglass.core.concurrent.Loops;
import io.hourglass.core.concurrent.ThreadLoops;
import io.hourglass.core.error.OverloadedException;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.wheel.WheelTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The delay engine of one server: group-committed writes, the timing wheel, the preloader, the sweeper and the
 * firing workers, for the slots the {@link Coordinator} gives it.
 *
 * <p>Life cycle: {@link #start()} once, {@link #close()} once. Closing stops intake, commits what was queued,
 * revokes all slots (firing stops), and lets in-flight batches finish; unfired messages simply stay SCHEDULED in
 * the store for the next start.
 */
public final class DelayEngine implements AutoCloseable, Coordinator.SlotListener {

    private static final Logger log = LoggerFactory.getLogger(DelayEngine.class);
    private static final Duration BACKLOG_REFRESH = Duration.ofSeconds(30);
    /** Loop names: preload rounds never overlap; sweep and backlog rounds share one thread. */
    private static final String PRELOADER = "hourglass-preloader";
    private static final String SWEEPER = "hourglass-sweeper";

    private final MessageStore store;
    private final MessageEmitter emitter;
    private final Coordinator coordinator;
    private final DelayClock clock;
    private final EngineSettings settings;
    private final DelayMetrics metrics;
    private final MessageIds ids = new MessageIds();
    private final WheelTimer timer;
    private final Preloader preloader;
    private final Sweeper sweeper;
    private final GroupCommitter committer;
    private final List<Firer> firers = new ArrayList<>();
    private final Loops loops;
    /** Owned slots that new messages may be tagged with (Coordinator#writableSlots), sorted. */
    private final AtomicReference<int[]> writableSlots = new AtomicReference<>(new int[0]);
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicLongArray backlog = new AtomicLongArray(MessageIds.MAX_SLOTS);
    private final Lifecycle lifecycle = new Lifecycle("DelayEngine");
    private volatile Predicate<String> appDisabled = appKey -> false;
    private volatile DeadLetters deadLetters = DeadLetters.NONE;

    /** An engine running its loops on its own threads (a server). */
    public DelayEngine(MessageStore store, MessageEmitter emitter, Coordinator coordinator, DelayClock clock,
                       EngineSettings settings, MeterRegistry registry) {
        this(store, emitter, coordinator, clock, settings, registry, new ThreadLoops());
    }

    /**
     * An engine running its loops (wheel, firing, preload, sweep, backlog) through {@code loops}: a test passes
     * {@link io.hourglass.core.concurrent.ManualLoops} and steps them against a manual clock. Group commits keep their
     * own writer threads (a submit's future completes when its commit does). Nothing runs before {@link #start()}.
     */
    public DelayEngine(MessageStore store, MessageEmitter emitter, Coordinator coordinator, DelayClock clock,
                       EngineSettings settings, MeterRegistry registry, Loops loops) {
        this.store = store;
        this.loops = loops;
        this.emitter = emitter;
        this.coordinator = coordinator;
        this.clock = clock;
        this.settings = settings;
        this.metrics = new DelayMetrics(registry);
        this.timer = new WheelTimer(clock);
        this.preloader = new Preloader(store, timer, coordinator, settings, clock);
        this.sweeper = new Sweeper(store, timer, preloader, coordinator, settings, clock, metrics);
        this.committer = new GroupCommitter(store, settings.writes().batchSize(), settings.writes().queueCapacity(),
                settings.writes().maxQueuedBytes(), settings.writes().maxWait(), settings.writes().threads(), metrics,
                this::assignIds, this::afterCommit, "hourglass-writer");
        Executor recorders = loops.pool("hourglass-recorder", settings.firing().threads());
        Semaphore inFlight = new Semaphore(settings.firing().threads() * 2);
        for (int i = 0; i < settings.firing().threads(); i++) {
            firers.add(new Firer(store, emitter, timer, coordinator, preloader, settings, clock, metrics, recorders,
                    inFlight, () -> appDisabled, () -> deadLetters));
        }
        Gauge.builder("hourglass.slots.owned", coordinator, c -> c.ownedSlots().size())
                .description("Slots this server owns now (fires and preloads)").register(registry);
        Gauge.builder("hourglass.slots.unowned", coordinator, DelayEngine::unownedSlots)
                .description("Slots with no owner as this server sees them: their messages do not fire").register(registry);
        Gauge.builder("hourglass.wheel.size", timer, WheelTimer::size)
                .description("Messages held in memory (wheel and firing backlog)").register(registry);
        for (int slot = 0; slot < coordinator.slotCount(); slot++) {
            registerBacklogGauge(slot);
        }
    }

    /** Slots that neither this server nor, as far as it knows, another one owns (a rebalance, or nobody alive). */
    static int unownedSlots(Coordinator coordinator) {
        return (int) coordinator.slotOwners().stream().filter(Objects::isNull).count();
    }

    private void registerBacklogGauge(int slot) {
        metrics.slotBacklog(slot, backlog);
    }

    public void start() {
        lifecycle.start();
        loops.worker("hourglass-wheel", timer::drive);
        committer.start();
        for (int i = 0; i < firers.size(); i++) {
            loops.worker("hourglass-firer-" + i, firers.get(i)::step);
        }
        coordinator.start(this);
        Duration sweepEvery = settings.sweep().interval();
        loops.every(PRELOADER, Duration.ZERO, settings.preload().interval(), guarded("preload", preloader::runOnce));
        loops.every(SWEEPER, sweepEvery, sweepEvery, guarded("sweep", sweeper::runOnce));
        loops.every(SWEEPER, Duration.ZERO, BACKLOG_REFRESH, guarded("backlog", this::refreshBacklog));
        log.info("Hourglass engine started: node={} slots={} within={}", coordinator.nodeId(), coordinator.ownedSlots().size(),
                settings.preload().within());
    }

    /** Queues a new message for the next group commit; the future completes after the commit. */
    CompletableFuture<SubmitResult> write(NewMessage message) {
        if (!lifecycle.running()) {
            return CompletableFuture.failedFuture(new OverloadedException("Server is not running"));
        }
        return committer.submit(message);
    }

    /**
     * A slot of this server for the next group commit (round robin), so the write and the timer stay local.
     * One slot per commit: the commit's rows then share the leaf pages of the (slot, state, fire_at) index.
     */
    int nextSlot() {
        int[] slots = writableSlots.get();
        if (slots.length == 0) {
            throw new OverloadedException("This server owns no slot right now; retry shortly");
        }
        return slots[Math.floorMod(roundRobin.getAndIncrement(), slots.length)];
    }

    /** Gives a commit's messages their slot (one for all) and ids. */
    private List<DelayMessage> assignIds(List<NewMessage> drafts) {
        int slot = nextSlot();
        long now = clock.now();
        List<DelayMessage> messages = new ArrayList<>(drafts.size());
        for (NewMessage draft : drafts) {
            messages.add(draft.withId(ids.next(slot, now)));
        }
        return messages;
    }

    /** A committed change of due time: file it if it lands inside the loaded window. */
    void rescheduled(DelayMessage updated) {
        if (coordinator.owns(updated.slot())) {
            preloader.file(updated.slot(), updated.fireAt(), updated.id());
        }
    }

    private void afterCommit(List<DelayMessage> committed) {
        for (DelayMessage m : committed) {
            preloader.file(m.slot(), m.fireAt(), m.id());
        }
    }

    /**
     * Where to route a request about a message of {@code slot}: the address of the live server that owns it, or empty
     * when this server owns it or no owner is known (then this server acts on the store itself).
     */
    public Optional<String> ownerAddress(int slot) {
        if (coordinator.owns(slot)) {
            return Optional.empty();
        }
        return coordinator.ownerOf(slot).filter(owner -> !owner.equals(coordinator.nodeId()))
                .flatMap(coordinator::addressOf);
    }

    DelayMetrics metrics() {
        return metrics;
    }

    @Override
    public void slotsAssigned(Set<Integer> slots) {
        writableSlots.set(coordinator.writableSlots().stream().mapToInt(Integer::intValue).sorted().toArray());
        slots.forEach(this::registerBacklogGauge);
        if (!slots.isEmpty()) {
            log.info("Assigned {} slots: {}", slots.size(), new java.util.TreeSet<>(slots));
        }
        loops.soon(PRELOADER, guarded("preload", preloader::runOnce));
        long assignedAt = clock.now();
        Set<Integer> assigned = Set.copyOf(slots);
        loops.soon(SWEEPER, guarded("sweep", () -> sweeper.releaseInherited(assigned, assignedAt)));
    }

    @Override
    public void slotsRevoked(Set<Integer> slots) {
        writableSlots.set(coordinator.writableSlots().stream().filter(s -> !slots.contains(s)).mapToInt(Integer::intValue)
                .sorted().toArray());
        for (int slot : slots) {
            preloader.unload(slot);
            backlog.set(slot, 0); // its new owner reports it now
        }
        int dropped = timer.removeIf(id -> slots.contains(MessageIds.slotOf(id)));
        preloader.dropped(slots);
        log.info("Released {} slots, dropped {} in-memory messages", slots.size(), dropped);
    }

    /**
     * Tells the firers which apps are disabled: their due messages are held (not emitted, re-checked every 30 s)
     * until the app is enabled again. {@link DelayService} installs its {@link AppDirectory}'s view.
     */
    public void holdMessagesOf(Predicate<String> disabledApp) {
        this.appDisabled = java.util.Objects.requireNonNull(disabledApp, "disabledApp");
    }

    /**
     * Emits DELIVERED messages again, each with {@link Replay#HEADER}{@code : true}, straight to their target: a
     * replay changes nothing in the store (the message stays DELIVERED) and takes no slot, so any server may do it.
     * One future per message, in order, completing once the target acknowledged the record.
     */
    public List<CompletableFuture<Void>> replay(List<DelayMessage> delivered) {
        List<DelayMessage> copies = new ArrayList<>(delivered.size());
        for (DelayMessage m : delivered) {
            copies.add(Replay.copyOf(m));
        }
        List<CompletableFuture<Void>> acks = emitter.emit(copies, clock.now());
        for (CompletableFuture<Void> ack : acks) {
            ack.thenRun(metrics.replayed::increment);
        }
        return acks;
    }

    /** Where messages that go DEAD are copied ({@link DeadLetters#NONE}, nothing, until this is called). */
    public void deadLetterTo(DeadLetters deadLetters) {
        this.deadLetters = java.util.Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** Bytes of message data waiting for a group commit. */
    long queuedBytes() {
        return committer.queuedBytes();
    }

    /** Messages in memory (wheel and firing backlog). */
    public int inMemory() {
        return timer.size();
    }

    /** Per-app counts of this server since the admin side last drained them. */
    public AppStats appStats() {
        return metrics.appStats();
    }

    /** Messages this server fired since start, per topic (at most {@link TopicCounts#MAX_TOPICS}, then "(other)"). */
    public TopicCounts firedByTopic() {
        return metrics.firedByTopic();
    }

    public EngineSettings settings() {
        return settings;
    }

    void refreshBacklog() {
        for (int slot : coordinator.ownedSlots()) {
            backlog.set(slot, store.countScheduled(slot));
        }
    }

    @Override
    public void close() {
        if (lifecycle.close() != Lifecycle.State.RUNNING) {
            return;
        }
        committer.close();
        loops.stopRounds();
        coordinator.close();
        if (!loops.stopAll(settings.sweep().claimTimeout())) {
            log.warn("Outcomes of some fired batches were not recorded in time; the sweeper will re-fire them");
        }
        timer.close();
        log.info("Hourglass engine stopped: node={}", coordinator.nodeId());
    }

    private Runnable guarded(String loop, Runnable round) {
        return Guarded.round(loop, "node=" + coordinator.nodeId(), metrics::loopError, round);
    }
}
