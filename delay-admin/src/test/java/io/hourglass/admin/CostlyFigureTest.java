package io.hourglass.admin;

import io.hourglass.core.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CostlyFigureTest {

    private final ManualClock clock = new ManualClock(1_000_000);
    private final Queue<Runnable> background = new ArrayDeque<>();
    private final AtomicInteger passes = new AtomicInteger();
    private long passTakesMs;

    private final CostlyFigure<Integer> figure = new CostlyFigure<>("test", () -> {
        clock.advance(passTakesMs); // the pass over the store takes this long
        return passes.incrementAndGet();
    }, clock, background::add, 5_000);

    @Test
    void theFirstCallerComputesItThenEveryoneGetsTheLastValueAtOnceWhileOnePassRefreshesIt() {
        assertThat(figure.get()).isEqualTo(1);
        clock.advance(4_999);
        assertThat(figure.get()).as("fresh enough").isEqualTo(1);
        assertThat(background).isEmpty();

        clock.advance(1);
        assertThat(figure.get()).as("stale: answered at once with the last value").isEqualTo(1);
        assertThat(figure.get()).isEqualTo(1);
        assertThat(background).as("one pass at a time, however many ask").hasSize(1);

        background.poll().run();
        assertThat(figure.get()).isEqualTo(2);
        assertThat(passes).hasValue(2);
    }

    @Test
    void aCostlyPassIsRepeatedNoSoonerThanTenTimesItsDurationAfterIt() {
        passTakesMs = 2_000;
        figure.get();
        clock.advance(19_999);
        figure.get();
        assertThat(background).as("the store is busy at most a tenth of the time").isEmpty();
        clock.advance(1);
        figure.get();
        assertThat(background).hasSize(1);
    }

    @Test
    void aFailedRefreshKeepsTheLastValueAndTheNextCallerTriesAgain() {
        AtomicInteger calls = new AtomicInteger();
        CostlyFigure<String> flaky = new CostlyFigure<>("flaky", () -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("store down");
            }
            return "v" + calls.get();
        }, clock, Runnable::run, 5_000);
        assertThat(flaky.get()).isEqualTo("v1");
        clock.advance(5_000);
        assertThat(flaky.get()).isEqualTo("v1");
        assertThat(flaky.get()).isEqualTo("v3");
    }
}
