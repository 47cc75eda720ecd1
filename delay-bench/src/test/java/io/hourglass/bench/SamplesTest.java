package io.hourglass.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplesTest {

    @Test
    void percentilesUseTheNearestRank() {
        Samples s = new Samples(4);
        for (int v = 100; v >= 1; v--) { // unsorted on purpose, and more than the initial capacity
            s.add(v);
        }
        assertThat(s.percentile(50)).isEqualTo(50);
        assertThat(s.percentile(90)).isEqualTo(90);
        assertThat(s.percentile(99)).isEqualTo(99);
        assertThat(s.percentile(99.9)).isEqualTo(100);
        assertThat(s.percentile(0.0001)).isEqualTo(1);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(100);
        assertThat(s.mean()).isEqualTo(50.5);
    }

    @Test
    void aSingleSampleIsEveryPercentile() {
        Samples s = new Samples();
        s.add(-7);
        assertThat(s.percentile(50)).isEqualTo(-7);
        assertThat(s.percentile(99.9)).isEqualTo(-7);
        assertThat(s.max()).isEqualTo(-7);
    }

    @Test
    void p999OfAThousandIsTheSecondLargest() {
        Samples s = new Samples();
        for (int v = 1; v <= 1000; v++) {
            s.add(v);
        }
        assertThat(s.percentile(99.9)).isEqualTo(999);
        assertThat(s.percentile(99)).isEqualTo(990);
        assertThat(s.countBelow(11)).isEqualTo(10);
    }

    @Test
    void mergedSamplesKeepEveryValue() {
        Samples a = new Samples();
        Samples b = new Samples();
        a.add(3);
        a.add(1);
        b.add(2);
        a.addAll(b);
        assertThat(a.size()).isEqualTo(3);
        assertThat(a.percentile(50)).isEqualTo(2);
    }

    @Test
    void emptySamplesAndBadPercentilesAreRefused() {
        Samples empty = new Samples();
        assertThatThrownBy(() -> empty.percentile(50)).isInstanceOf(IllegalStateException.class);
        Samples one = new Samples();
        one.add(1);
        assertThatThrownBy(() -> one.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> one.percentile(100.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
