package io.hourglass.admin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.model.NodeSnapshot;
import io.hourglass.core.model.PendingCount;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The figures of the console's overview and cluster pages: pending messages by due horizon (per app and topic),
 * counts by state, per-app 10-minute points for up to 7 days, the servers and the slot map. The store's counts are
 * a pass over the pending messages, so they are {@link CostlyFigure}s: shared by every caller, at least
 * {@value #COUNT_CACHE_SECONDS} s apart, recomputed in the background on {@code refresher}.
 */
public final class OverviewService {

    static final int COUNT_CACHE_SECONDS = 5;
    static final Duration MAX_RANGE = Duration.ofDays(7);
    /** A server whose last snapshot is older than this is shown as down. */
    static final Duration HEARTBEAT_STALE = Duration.ofSeconds(ClusterSnapshots.PERIOD_SECONDS * 3L);

    /** Pending totals by horizon, with the per-app-and-topic breakdown. */
    public record Pending(long total, long within1m, long within1h, long within24h, long later, List<PendingCount> byAppAndTopic,
                          long countedAt) {
    }

    /** A server as the cluster view shows it. */
    public record Node(String nodeId, String address, String version, long startedAt, long lastHeartbeat, boolean up,
                       int ownedSlots, long inMemory, long heapUsed, long heapMax) {
    }

    /**
     * The cluster: servers, the owner of each slot (null: no owner), and the last changes of the slot map this server
     * saw, newest first.
     */
    public record Cluster(String self, int slotCount, List<Node> nodes, List<String> slotOwners, int unownedSlots,
                          List<Rebalances.Rebalance> rebalances) {
    }

    private final MessageStore messages;
    private final AdminStore admin;
    private final Coordinator coordinator;
    private final DelayClock clock;
    private final Rebalances rebalances;
    private final CostlyFigure<Pending> pending;
    private final CostlyFigure<Map<MessageState, Long>> states;

    public OverviewService(MessageStore messages, AdminStore admin, Coordinator coordinator, DelayClock clock,
                           Rebalances rebalances, Executor refresher) {
        this.messages = messages;
        this.admin = admin;
        this.coordinator = coordinator;
        this.clock = clock;
        this.rebalances = rebalances;
        long minAge = TimeUnit.SECONDS.toMillis(COUNT_CACHE_SECONDS);
        this.pending = new CostlyFigure<>("pending", this::countPending, clock, refresher, minAge);
        this.states = new CostlyFigure<>("states", this::countStates, clock, refresher, minAge);
    }

    /**
     * A cache of figures computed by a pass over the store: at most {@code size} entries, each for
     * {@value #COUNT_CACHE_SECONDS} s of the {@link DelayClock}, loaded on the caller's thread.
     */
    static <K, V> Cache<K, V> countCache(DelayClock clock, int size) {
        return Caffeine.newBuilder().maximumSize(size)
                .expireAfterWrite(COUNT_CACHE_SECONDS, TimeUnit.SECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.now()))
                .executor(Runnable::run)
                .build();
    }

    public Pending pending() {
        return pending.get();
    }

    public Map<MessageState, Long> states() {
        return states.get();
    }

    private Pending countPending() {
        long now = clock.now();
        List<PendingCount> counts = messages.pendingCounts(now);
        long m = 0, h = 0, d = 0, l = 0;
        for (PendingCount c : counts) {
            m += c.within1m();
            h += c.within1h();
            d += c.within24h();
            l += c.later();
        }
        return new Pending(m + h + d + l, m, h, d, l, counts, now);
    }

    private Map<MessageState, Long> countStates() {
        Map<MessageState, Long> all = new LinkedHashMap<>();
        Map<MessageState, Long> counted = messages.countByState();
        for (MessageState s : MessageState.values()) {
            all.put(s, counted.getOrDefault(s, 0L));
        }
        return all;
    }

    /** Per-app points between {@code from} and {@code to} (epoch ms, at most 7 days apart; default the last 24 h). */
    public List<AppStatPoint> stats(String appKey, Long from, Long to) {
        long end = to == null ? clock.now() + AppStatPoint.BUCKET_MS : to;
        long start = from == null ? end - Duration.ofDays(1).toMillis() : from;
        if (end < start || end - start > MAX_RANGE.toMillis() + AppStatPoint.BUCKET_MS) {
            throw AdminException.invalid("from", "a range of at most 7 days, from before to");
        }
        return admin.appStats(appKey, AppStatPoint.bucketOf(start), end);
    }

    public Cluster cluster() {
        long now = clock.now();
        Map<String, NodeSnapshot> latest = new TreeMap<>();
        for (NodeSnapshot s : admin.nodeSnapshots(now - Duration.ofMinutes(10).toMillis())) {
            latest.merge(s.nodeId(), s, (a, b) -> a.takenAt() >= b.takenAt() ? a : b);
        }
        List<Node> nodes = new ArrayList<>();
        for (NodeSnapshot s : latest.values()) {
            boolean up = now - s.takenAt() <= HEARTBEAT_STALE.toMillis();
            nodes.add(new Node(s.nodeId(), s.address(), s.version(), s.startedAt(), s.takenAt(), up, s.ownedSlots(),
                    s.inMemory(), s.heapUsed(), s.heapMax()));
        }
        nodes.sort(Comparator.comparing(Node::nodeId));
        List<String> owners = coordinator.slotOwners();
        int unowned = (int) owners.stream().filter(Objects::isNull).count();
        return new Cluster(coordinator.nodeId(), coordinator.slotCount(), nodes, owners, unowned, rebalances.recent());
    }
}
