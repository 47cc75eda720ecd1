package io.hourglass.admin;

import io.hourglass.core.engine.StandaloneCoordinator;
import io.hourglass.core.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One round of the sampler, called by hand (its thread is never started here). */
class AdminSamplerTest {

    private final ManualClock clock = new ManualClock(1_800_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StandaloneCoordinator coordinator = new StandaloneCoordinator(4, "node-1");

    @Test
    void aRoundSamplesTheMeters() {
        LiveFigures live = new LiveFigures(registry, Map::of, clock, coordinator.nodeId());
        AdminSampler sampler = new AdminSampler(live, coordinator, registry);

        sampler.round();
        clock.advance(5_000);
        sampler.round();

        assertThat(live.live().windowSeconds()).isEqualTo(5);
    }

    @Test
    void aFailingRoundIsCounted() {
        LiveFigures failing = new LiveFigures(registry, () -> {
            throw new IllegalStateException("engine gone");
        }, clock, coordinator.nodeId());
        AdminSampler sampler = new AdminSampler(failing, coordinator, registry);

        sampler.round();

        assertThat(registry.counter("hourglass.loop.errors", "loop", "admin-sampler").count()).isEqualTo(1);
    }
}
