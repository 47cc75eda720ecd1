package io.hourglass.core.wheel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TimingWheelTest {

    private final List<long[]> fired = new ArrayList<>();

    private void collect(long now, TimingWheel wheel) {
        wheel.advance(now, (f, id) -> fired.add(new long[] {f, id, now}));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 1023L, 1024L, 65_535L, 1_704_067_200_000L, 1_704_067_200_999L, (1L << 40) - 1})
    void pastDueAndNowAreNotScheduled(long start) {
        TimingWheel wheel = new TimingWheel(start);
        assertThat(wheel.schedule(start, 1)).isFalse();
        assertThat(wheel.schedule(start - 1, 2)).isFalse();
        assertThat(wheel.schedule(start + 1, 3)).isTrue();
        assertThat(wheel.size()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1023L, 1_704_067_200_000L, 1_704_067_265_535L, (1L << 40) - 7})
    void neverFiresEarlyAndNeverLateAcrossLevels(long start) {
        TimingWheel wheel = new TimingWheel(start);
        long[] offsets = {1, 2, 999, 1023, 1024, 1025, 65_535, 65_536, 65_537, 4_194_303, 4_194_304, 300_000,
                3_600_000, 86_400_000L, 200L * 86_400_000L, 365L * 86_400_000L};
        for (int i = 0; i < offsets.length; i++) {
            assertThat(wheel.schedule(start + offsets[i], i)).isTrue();
        }
        // walk time forward in uneven steps; every entry must fire exactly at the first advance reaching it
        long now = start;
        Random random = new Random(42);
        long end = start + 366L * 86_400_000L;
        while (now < end && wheel.size() > 0) {
            long step = now - start < 5_000_000 ? 1 + random.nextInt(700) : 1 + random.nextInt(50_000_000);
            long previous = now;
            now += step;
            int before = fired.size();
            collect(now, wheel);
            for (long[] f : fired.subList(before, fired.size())) {
                assertThat(f[0]).as("never early").isLessThanOrEqualTo(now);
                assertThat(f[0]).as("fires at the first advance that reaches it").isGreaterThan(previous);
            }
        }
        assertThat(fired).hasSize(offsets.length);
        assertThat(wheel.size()).isZero();
    }

    @Test
    void sameMillisecondEntriesAllFireTogether() {
        TimingWheel wheel = new TimingWheel(1_000);
        for (int i = 0; i < 50_000; i++) {
            wheel.schedule(31_000, i);
        }
        collect(30_999, wheel);
        assertThat(fired).isEmpty();
        collect(31_000, wheel);
        assertThat(fired).hasSize(50_000);
        assertThat(fired.stream().mapToLong(f -> f[1]).distinct().count()).isEqualTo(50_000);
    }

    @Test
    void farFutureBeyondTheTopLevelWaitsInOverflowAndStillFiresOnTime() {
        long start = 1_704_067_200_000L;
        TimingWheel wheel = new TimingWheel(start);
        long due = start + 400L * 86_400_000L; // beyond the 199-day top span
        wheel.schedule(due, 7);
        for (long t = start; t < due - 86_400_000L; t += 3_600_000L) {
            collect(t, wheel);
        }
        assertThat(fired).isEmpty();
        collect(due - 1, wheel);
        assertThat(fired).isEmpty();
        collect(due, wheel);
        assertThat(fired).hasSize(1);
        assertThat(fired.get(0)[1]).isEqualTo(7);
    }

    @Test
    void oneBigJumpFiresEverythingDue() {
        TimingWheel wheel = new TimingWheel(0);
        for (int i = 1; i <= 10_000; i++) {
            wheel.schedule(i * 97L, i);
        }
        collect(10_000 * 97L, wheel);
        assertThat(fired).hasSize(10_000);
    }

    @Test
    void randomizedAgainstAReferenceModel() {
        Random random = new Random(7);
        long start = 1_700_000_000_000L;
        TimingWheel wheel = new TimingWheel(start);
        List<long[]> expected = new ArrayList<>();
        long now = start;
        int id = 0;
        for (int round = 0; round < 2_000; round++) {
            for (int k = 0; k < 20; k++) {
                long at = now + random.nextInt(400_000) - 10;
                if (!wheel.schedule(at, id)) {
                    assertThat(at).isLessThanOrEqualTo(now);
                } else {
                    expected.add(new long[] {at, id});
                }
                id++;
            }
            now += random.nextInt(300);
            collect(now, wheel);
        }
        collect(now + 1_000_000, wheel);
        assertThat(fired).hasSize(expected.size());
        for (long[] f : fired) {
            assertThat(f[0]).isLessThanOrEqualTo(f[2]);
        }
    }

    @Test
    void removeIfDropsMatchingEntries() {
        TimingWheel wheel = new TimingWheel(0);
        for (int i = 0; i < 1000; i++) {
            wheel.schedule(1 + i * 1000L, i);
        }
        assertThat(wheel.removeIf(id -> id % 2 == 0)).isEqualTo(500);
        assertThat(wheel.size()).isEqualTo(500);
        collect(10_000_000, wheel);
        assertThat(fired).hasSize(500).allMatch(f -> f[1] % 2 == 1);
    }

    @Test
    void drainAllHandsBackUnfired() {
        TimingWheel wheel = new TimingWheel(0);
        wheel.schedule(5, 1);
        wheel.schedule(5_000_000, 2);
        List<Long> back = new ArrayList<>();
        wheel.drainAll((f, id) -> back.add(id));
        assertThat(back).containsExactlyInAnyOrder(1L, 2L);
        assertThat(wheel.size()).isZero();
    }
}
