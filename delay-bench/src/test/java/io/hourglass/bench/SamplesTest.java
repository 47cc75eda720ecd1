package io.hourglass.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplesTest {

    @Test
    void percentilesUseTheNearestRank() {
        Samples s = new Samples();
        for (int v = 100; v >= 1; v--) { // unsorted on purpose
            s.add(v);
        }
        assertThat(s.percentile(50)).isEqualTo(50);
        assertThat(s.percentile(90)).isEqualTo(90);
        assertThat(s.percentile(99)).isEqualTo(99);
        assertThat(s.percentile(99.9)).isEqualTo(100);
        assertThat(s.percentile(0.0001)).isEqualTo(1);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(100);
        assertThat(s.size()).isEqualTo(100);
    }

    @Test
    void p999OfAThousandIsTheSecondLargest() {
        Samples s = new Samples();
        for (int v = 1; v <= 1000; v++) {
            s.add(v);
        }
        assertThat(s.percentile(99.9)).isEqualTo(999);
        assertThat(s.percentile(99)).isEqualTo(990);
    }

    @Test
    void largeValuesKeepThreeSignificantDigits() {
        Samples s = new Samples();
        s.add(1_234_567_890L); // a latency in nanoseconds
        s.add(30_000_000_000L);
        assertThat(s.percentile(50)).isCloseTo(1_234_567_890L, org.assertj.core.data.Percentage.withPercentage(0.1));
        assertThat(s.max()).isCloseTo(30_000_000_000L, org.assertj.core.data.Percentage.withPercentage(0.1));
    }

    @Test
    void negativeValuesAreRankedBelowTheOthers() {
        Samples s = new Samples();
        for (int v = -5; v <= 4; v++) { // an early record is a negative lateness
            s.add(v);
        }
        assertThat(s.min()).isEqualTo(-5);
        assertThat(s.percentile(10)).isEqualTo(-5);
        assertThat(s.percentile(50)).isEqualTo(-1);
        assertThat(s.percentile(60)).isEqualTo(0);
        assertThat(s.percentile(100)).isEqualTo(4);
        Samples allNegative = new Samples();
        allNegative.add(-7);
        allNegative.add(-3);
        assertThat(allNegative.max()).isEqualTo(-3);
        assertThat(allNegative.percentile(50)).isEqualTo(-7);
        assertThat(allNegative.percentile(99.9)).isEqualTo(-3);
    }

    @Test
    void mergedSamplesKeepEveryValue() {
        Samples a = new Samples();
        Samples b = new Samples();
        a.add(3);
        a.add(1);
        b.add(2);
        b.add(-1);
        a.addAll(b);
        assertThat(a.size()).isEqualTo(4);
        assertThat(a.percentile(50)).isEqualTo(1);
        assertThat(a.min()).isEqualTo(-1);
    }

    @Test
    void emptySamplesAndBadPercentilesAreRefused() {
        Samples empty = new Samples();
        assertThat(empty.isEmpty()).isTrue();
        assertThatThrownBy(() -> empty.percentile(50)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(empty::max).isInstanceOf(IllegalStateException.class);
        Samples one = new Samples();
        one.add(1);
        assertThatThrownBy(() -> one.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> one.percentile(100.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
