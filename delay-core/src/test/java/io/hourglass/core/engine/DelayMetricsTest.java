package io.hourglass.core.engine;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

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
    void onTimeAndLateMessagesAreNotEarly() {
        metrics.recordLateness(0);
        metrics.recordLateness(40);

        assertThat(registry.counter("hourglass.messages.early").count()).isZero();
        assertThat(registry.get("hourglass.fire.lateness").timer().count()).isEqualTo(2);
    }
}
