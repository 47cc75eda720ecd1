package io.hourglass.admin;

import com.github.benmanes.caffeine.cache.Cache;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.DelayMessage;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.MessageStore.MessagePage;
import io.hourglass.core.spi.MessageStore.MessageQuery;
import io.hourglass.core.spi.StoreArguments;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The dead letters grouped by what killed them, for the console: DEAD messages of an app and topic (either may be
 * left out) grouped by (app, topic, last error cut to {@value #ERROR_CHARS} characters), largest group first. A scan
 * reads at most {@value #MAX_SCANNED} messages, {@value #PAGE} at a time through the store's search, and says
 * whether it saw them all; its answer is kept {@value OverviewService#COUNT_CACHE_SECONDS} s per filter.
 */
public final class DeadLetterReport {

    static final int MAX_SCANNED = 10_000;
    static final int PAGE = 1000;
    static final int ERROR_CHARS = 200;

    /**
     * DEAD messages of one app and topic whose last errors start alike.
     *
     * @param firstDueAt the earliest due time among them (epoch ms)
     * @param lastDueAt  the latest
     * @param sampleId   one of them, to open
     */
    public record Group(String appKey, String topic, String lastError, long count, long firstDueAt, long lastDueAt,
                        String sampleId) {
    }

    /**
     * The answer of {@code GET /admin/api/v1/dead-letters}.
     *
     * @param scanned   DEAD messages read
     * @param complete  false when the scan stopped at {@value #MAX_SCANNED} with more to read
     * @param totalDead DEAD messages in the store, of every app and topic
     */
    public record Report(List<Group> groups, int scanned, boolean complete, long totalDead) {
    }

    private record Filter(String appKey, String topic) {
    }

    private record Key(String appKey, String topic, String lastError) {
    }

    private final MessageStore store;
    private final Supplier<Map<MessageState, Long>> states;
    private final Cache<Filter, Report> cache;

    /**
     * @param states the store's counts per state (the overview's, which are cached too)
     */
    public DeadLetterReport(MessageStore store, Supplier<Map<MessageState, Long>> states, DelayClock clock) {
        this.store = store;
        this.states = states;
        this.cache = OverviewService.countCache(clock, 100);
    }

    /** The groups of DEAD messages of {@code appKey} and {@code topic} (null: any). */
    public Report report(String appKey, String topic) {
        return cache.get(new Filter(appKey, topic), this::scan);
    }

    private Report scan(Filter f) {
        MessageQuery query = new MessageQuery(f.appKey(), f.topic(), null, MessageState.DEAD, null, null);
        Map<Key, Group> groups = new HashMap<>();
        int scanned = 0;
        String cursor = null;
        do {
            MessagePage page = store.search(query, cursor, Math.min(PAGE, MAX_SCANNED - scanned));
            for (DelayMessage m : page.messages()) {
                String error = StoreArguments.cut(m.lastError(), ERROR_CHARS);
                groups.merge(new Key(m.appKey(), m.topic(), error),
                        new Group(m.appKey(), m.topic(), error, 1, m.deliverAt(), m.deliverAt(), MessageIds.format(m.id())),
                        (a, b) -> new Group(a.appKey(), a.topic(), a.lastError(), a.count() + 1,
                                Math.min(a.firstDueAt(), b.firstDueAt()), Math.max(a.lastDueAt(), b.lastDueAt()),
                                a.sampleId()));
            }
            scanned += page.messages().size();
            cursor = page.nextCursor();
        } while (cursor != null && scanned < MAX_SCANNED);
        List<Group> sorted = new ArrayList<>(groups.values());
        sorted.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::appKey)
                .thenComparing(Group::topic)
                .thenComparing(Group::lastError, Comparator.nullsFirst(Comparator.naturalOrder())));
        return new Report(List.copyOf(sorted), scanned, cursor == null,
                states.get().getOrDefault(MessageState.DEAD, 0L));
    }
}
