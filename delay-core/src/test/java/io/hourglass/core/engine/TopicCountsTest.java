package io.hourglass.core.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class TopicCountsTest {

    @Test
    void countsPerTopicSinceStartWithoutDraining() {
        TopicCounts counts = new TopicCounts(10);
        counts.increment("a");
        counts.increment("a");
        counts.increment("b");

        assertThat(counts.snapshot()).isEqualTo(Map.of("a", 2L, "b", 1L));
        counts.increment("a");
        assertThat(counts.snapshot()).as("a snapshot takes nothing away").isEqualTo(Map.of("a", 3L, "b", 1L));
    }

    @Test
    void topicsBeyondTheBoundCountUnderOther() {
        TopicCounts counts = new TopicCounts(2);
        counts.increment("a");
        counts.increment("b");
        counts.increment("c");
        counts.increment("d");
        counts.increment("a");

        assertThat(counts.snapshot()).isEqualTo(Map.of("a", 2L, "b", 1L, TopicCounts.OTHER, 2L));
    }

    @Test
    @Timeout(30)
    void theBoundHoldsWhenManyNewTopicsArriveAtOnce() throws Exception {
        TopicCounts counts = new TopicCounts(50);
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                        counts.increment("topic-" + thread + "-" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, Long> snapshot = counts.snapshot();
        assertThat(snapshot).hasSize(51).containsKey(TopicCounts.OTHER);
        assertThat(snapshot.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(threads * 100L);
    }
}
