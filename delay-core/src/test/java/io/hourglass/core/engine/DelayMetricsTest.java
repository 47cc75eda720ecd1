package io.hourglass.core.engine;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DelayMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DelayMetrics metrics = new DelayMetrics(registry);

    @Test
    void aNegativeLatenessCountsAsEarlyAndIsRecordedAsZero() {
        metrics.recordLateness(-250);

        assertThat(registry.counter("hourglass.messages.early").count()).isEqualTo(1);
        Timer lateness = registry.get("hourglass.fire.lateness").timer();
        assertThat(lateness.count()).isEqualTo(1);
        assertThat(lateness.max(TimeUnit.MILLISECONDS)).isZero();
    }

    @Test
    void theReadableLatenessBoundsAreBucketsOfTheTimerEvenInTheSimpleRegistry() {
        metrics.recordLateness(3);
        metrics.recordLateness(7_000);

        CountAtBucket[] buckets = registry.get("hourglass.fire.lateness").timer().takeSnapshot().histogramCounts();

        assertThat(Arrays.stream(buckets).map(b -> (long) b.bucket(TimeUnit.MILLISECONDS)))
                .containsAll(DelayMetrics.LATENESS_BOUNDS.stream().map(Duration::toMillis).toList());
        assertThat(Arrays.stream(buckets).filter(b -> b.bucket(TimeUnit.MILLISECONDS) == 5).findFirst().orElseThrow()
                .count()).as("cumulative: the 3 ms one").isEqualTo(1);
    }

    @Test
    void onTimeAndLateMessagesAreNotEarly() {
        metrics.recordLateness(0);
        metrics.recordLateness(40);

        assertThat(registry.counter("hourglass.messages.early").count()).isZero();
        assertThat(registry.get("hourglass.fire.lateness").timer().count()).isEqualTo(2);
    }
}
