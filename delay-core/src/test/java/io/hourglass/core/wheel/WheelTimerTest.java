package io.hourglass.core.wheel;

import io.hourglass.core.concurrent.ThreadLoops;
import io.hourglass.core.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class WheelTimerTest {

    @Test
    void dueEntriesReachTheReadyQueueOnlyWhenTheClockGetsThere() throws Exception {
        ManualClock clock = new ManualClock(10_000);
        WheelTimer timer = new WheelTimer(clock);
        timer.schedule(10_500, 1);
        timer.schedule(9_000, 2); // past due: ready at once
        long[] f = new long[10];
        long[] ids = new long[10];
        assertThat(timer.poll(f, ids, 10, 0)).isEqualTo(1);
        assertThat(ids[0]).isEqualTo(2);
        timer.tick();
        assertThat(timer.poll(f, ids, 10, 0)).isZero();
        clock.set(10_499);
        timer.tick();
        assertThat(timer.poll(f, ids, 10, 0)).isZero();
        clock.set(10_500);
        timer.tick();
        assertThat(timer.poll(f, ids, 10, 0)).isEqualTo(1);
        assertThat(ids[0]).isEqualTo(1);
        timer.close();
    }

    @Test
    void closeHandsBackUnfiredEntries() {
        ManualClock clock = new ManualClock(0);
        WheelTimer timer = new WheelTimer(clock);
        ThreadLoops loops = new ThreadLoops();
        loops.worker("test-wheel", timer::drive);
        timer.schedule(1_000_000, 1);
        timer.schedule(-5, 2);
        loops.stopAll(Duration.ofSeconds(1));
        List<Long> back = new ArrayList<>();
        timer.close((fireAt, id) -> back.add(id));
        assertThat(back).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void theDriverFilesDueEntriesIntoTheReadyQueueWhileWakingAPollerOnItsThread() throws Exception {
        ManualClock clock = new ManualClock(0);
        WheelTimer timer = new WheelTimer(clock);
        ThreadLoops loops = new ThreadLoops();
        loops.worker("test-wheel", timer::drive);
        try {
            timer.schedule(50, 7);
            long[] f = new long[1];
            long[] ids = new long[1];
            assertThat(timer.poll(f, ids, 1, 0)).as("not due yet").isZero();
            clock.set(50);
            assertThat(timer.poll(f, ids, 1, 5_000)).isEqualTo(1);
            assertThat(ids[0]).isEqualTo(7);
        } finally {
            loops.stopAll(Duration.ofSeconds(1));
            timer.close();
        }
    }
}
