package io.hourglass.admin;

import io.hourglass.core.engine.DelayMetrics;
import io.hourglass.core.testing.ManualClock;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The sampler's figures, stepped by hand: samples are taken by calling {@link LiveFigures#sample()}, no thread. */
class LiveFiguresTest {

    private static final long T0 = 1_800_000_000_000L;
    private static final long STEP = AdminSampler.PERIOD_SECONDS * 1000L;

    private final ManualClock clock = new ManualClock(T0);
    /** Micrometer's own clock stands still: the simple registry's histograms never decay during a test. */
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, new MockClock());
    private final Map<String, Long> firedByTopic = new HashMap<>();
    private final LiveFigures live;

    LiveFiguresTest() {
        new DelayMetrics(registry); // the engine's meters, as the engine registers them
        live = new LiveFigures(registry, () -> firedByTopic, clock, "node-1");
    }

    private void count(String counter, int n) {
        registry.counter(counter).increment(n);
    }

    private void fired(int n, long latenessMs) {
        count("hourglass.messages.fired", n);
        Timer lateness = registry.get("hourglass.fire.lateness").timer();
        for (int i = 0; i < n; i++) {
            lateness.record(latenessMs, TimeUnit.MILLISECONDS);
        }
    }

    private static List<Long> counts(LiveFigures.Live l) {
        return l.latenessHistogram().stream().map(LiveFigures.Bucket::count).toList();
    }

    @Test
    void beforeTwoSamplesEveryRateIsZeroAndTheWindowIsWhatWasSeen() {
        fired(5, 3);
        count("hourglass.messages.early", 2);

        LiveFigures.Live none = live.live();
        assertThat(none.nodeId()).isEqualTo("node-1");
        assertThat(none.sampledAt()).isEqualTo(T0);
        assertThat(none.windowSeconds()).isZero();
        assertThat(none.firedPerSecond()).isZero();
        assertThat(none.earlyTotal()).as("since start").isEqualTo(2);
        assertThat(none.latenessP50Ms()).isNull();
        assertThat(counts(none)).hasSize(12).containsOnly(0L);

        live.sample();
        clock.advance(STEP);
        LiveFigures.Live one = live.live();
        assertThat(one.sampledAt()).as("the sample's time, not now").isEqualTo(T0);
        assertThat(one.windowSeconds()).isZero();
        assertThat(one.firedPerSecond()).isZero();
        assertThat(one.firedPerSecondByTopic()).isEmpty();
    }

    @Test
    void ratesAndCountsAreTheIncreaseBetweenTheOldestAndTheNewestSample() {
        fired(7, 3); // before the window: not counted
        live.sample();
        fired(30, 3);
        count("hourglass.messages.accepted", 60);
        count("hourglass.messages.retried", 2);
        count("hourglass.messages.dead", 1);
        clock.advance(2 * STEP);
        live.sample();

        LiveFigures.Live l = live.live();

        assertThat(l.sampledAt()).isEqualTo(T0 + 2 * STEP);
        assertThat(l.windowSeconds()).isEqualTo(10);
        assertThat(l.firedPerSecond()).isEqualTo(3.0);
        assertThat(l.acceptedPerSecond()).isEqualTo(6.0);
        assertThat(l.emitFailures()).as("retried + dead").isEqualTo(3);
        assertThat(l.dead()).isEqualTo(1);
        assertThat(l.earlyTotal()).isZero();
    }

    @Test
    void theWindowKeepsThirteenSamplesSoAMinuteAtFiveSeconds() {
        live.sample();
        fired(10, 3); // in the first interval only
        for (int i = 0; i < LiveFigures.SAMPLES - 1; i++) {
            clock.advance(STEP);
            live.sample();
        }
        assertThat(live.live().windowSeconds()).isEqualTo(60);
        assertThat(live.live().firedPerSecond()).isEqualTo(Math.round(10 / 60.0 * 1000) / 1000.0);

        clock.advance(STEP);
        live.sample(); // the first sample drops out, and the first interval with it

        assertThat(live.live().windowSeconds()).isEqualTo(60);
        assertThat(live.live().firedPerSecond()).isZero();
        assertThat(live.live().latenessP99Ms()).isNull();
    }

    @Test
    void latenessIsAHistogramOfTheWindowInReadableBucketsWithItsQuantiles() {
        fired(50, 4_000); // before the window
        live.sample();
        fired(97, 3);
        fired(1, 0);
        fired(1, 150);
        fired(1, 7_000);
        clock.advance(STEP);
        live.sample();

        LiveFigures.Live l = live.live();

        assertThat(l.latenessHistogram()).extracting(LiveFigures.Bucket::leMs)
                .containsExactly(1L, 2L, 5L, 10L, 20L, 50L, 100L, 200L, 500L, 1000L, 5000L, null);
        assertThat(counts(l)).containsExactly(1L, 0L, 97L, 0L, 0L, 0L, 0L, 1L, 0L, 0L, 0L, 1L);
        assertThat(l.latenessP50Ms()).isEqualTo(5.0);
        assertThat(l.latenessP99Ms()).isEqualTo(200.0);
    }

    @Test
    void anEarlyFireShowsInTheTotalSinceStart() {
        live.sample();
        count("hourglass.messages.early", 1);
        clock.advance(STEP);
        live.sample();

        assertThat(live.live().earlyTotal()).isEqualTo(1);
    }

    @Test
    void firedPerSecondByTopicIsEachTopicsIncreaseFastestFirst() {
        firedByTopic.put("slow", 3L);
        firedByTopic.put("idle", 9L);
        live.sample();
        firedByTopic.put("slow", 8L);
        firedByTopic.put("fast", 40L); // new in the window
        clock.advance(2 * STEP);
        live.sample();

        assertThat(live.live().firedPerSecondByTopic()).containsExactly(Map.entry("fast", 4.0), Map.entry("slow", 0.5));
    }

    @Test
    void aRegistryWithoutTheEngineMetersAnswersZeros() {
        LiveFigures empty = new LiveFigures(new SimpleMeterRegistry(), Map::of, clock, "node-1");
        empty.sample();
        clock.advance(STEP);
        empty.sample();

        LiveFigures.Live l = empty.live();
        assertThat(l.windowSeconds()).isEqualTo(5);
        assertThat(l.firedPerSecond()).isZero();
        assertThat(l.latenessP50Ms()).isNull();
        assertThat(counts(l)).hasSize(12).containsOnly(0L);
    }
}
