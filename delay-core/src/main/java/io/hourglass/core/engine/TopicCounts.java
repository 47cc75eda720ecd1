package io.hourglass.core.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts per topic since start, for the admin's live throughput by topic. Unlike {@link AppStats} it is never
 * drained: readers take {@link #snapshot}s and subtract. Bounded: the first {@code maxTopics} topics seen get a count
 * of their own, every later one counts under {@link #OTHER} (a Kafka topic name cannot contain parentheses, so no
 * topic is mistaken for it). Not a Micrometer meter on purpose: a tag per topic would give Prometheus up to
 * {@code maxTopics} series per server.
 */
public final class TopicCounts {

    /** The topics tracked by the engine's counts. */
    public static final int MAX_TOPICS = 1000;
    /** Where topics beyond the bound are counted. */
    public static final String OTHER = "(other)";

    private final int maxTopics;
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder other = new LongAdder();
    /** Topics given a count of their own; never more than {@link #maxTopics}, also when many arrive at once. */
    private final AtomicInteger tracked = new AtomicInteger();

    TopicCounts(int maxTopics) {
        this.maxTopics = maxTopics;
    }

    void increment(String topic) {
        LongAdder count = counts.get(topic);
        if (count == null) {
            count = counts.computeIfAbsent(topic, t -> tracked.getAndUpdate(n -> n < maxTopics ? n + 1 : n) < maxTopics
                    ? new LongAdder() : null);
        }
        (count != null ? count : other).increment();
    }

    /** The counts since start, by topic (topics never counted are absent; {@link #OTHER} once it counted any). */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new HashMap<>(counts.size() + 1);
        counts.forEach((topic, count) -> out.put(topic, count.sum()));
        long others = other.sum();
        if (others > 0) {
            out.put(OTHER, others);
        }
        return out;
    }
}
