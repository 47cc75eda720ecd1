package io.hourglass.admin;

import io.hourglass.core.engine.StandaloneCoordinator;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** One round of the sampler, called by hand (its thread is never started here). */
class AdminSamplerTest {

    private final ManualClock clock = new ManualClock(1_800_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Rebalances rebalances = new Rebalances();
    private final StandaloneCoordinator coordinator = new StandaloneCoordinator(4, "node-1");

    AdminSamplerTest() {
        coordinator.start(new Coordinator.SlotListener() {
            @Override
            public void slotsAssigned(Set<Integer> slots) {
            }

            @Override
            public void slotsRevoked(Set<Integer> slots) {
            }
        });
    }

    @Test
    void aRoundSamplesTheMetersAndTheSlotMap() {
        LiveFigures live = new LiveFigures(registry, Map::of, clock, coordinator.nodeId());
        AdminSampler sampler = new AdminSampler(live, rebalances, coordinator, clock, registry);

        sampler.round();
        clock.advance(5_000);
        sampler.round();

        assertThat(live.live().windowSeconds()).isEqualTo(5);
        assertThat(rebalances.recent()).singleElement().isEqualTo(new Rebalances.Rebalance(clock.now() - 5_000, 4,
                List.of(new Rebalances.Change(null, "node-1", List.of(0, 1, 2, 3)))));
    }

    @Test
    void aFailingPartIsCountedAndTheOtherStillRuns() {
        LiveFigures failing = new LiveFigures(registry, () -> {
            throw new IllegalStateException("engine gone");
        }, clock, coordinator.nodeId());
        AdminSampler sampler = new AdminSampler(failing, rebalances, coordinator, clock, registry);

        sampler.round();

        assertThat(registry.counter("hourglass.loop.errors", "loop", "admin-sampler").count()).isEqualTo(1);
        assertThat(rebalances.recent()).as("the slot map was sampled all the same").hasSize(1);
    }
}
