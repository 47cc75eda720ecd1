package io.hourglass.core.spi;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.hourglass.core.spi.StoreArguments.MAX_ERROR_CHARS;
import static org.assertj.core.api.Assertions.assertThat;

class StoreArgumentsTest {

    @Test
    void idsAreSortedWithoutRepeatsOrNulls() {
        assertThat(StoreArguments.sortedDistinct(Arrays.asList(5L, null, 1L, 5L, 3L))).containsExactly(1L, 3L, 5L);
    }

    @Test
    void aShortErrorIsKeptWhole() {
        String exact = "x".repeat(MAX_ERROR_CHARS);
        assertThat(StoreArguments.keptError(exact)).isSameAs(exact);
        assertThat(StoreArguments.keptError(null)).isNull();
    }

    @Test
    void aLongErrorIsCutAtTheLimitButNeverInsideASurrogatePair() {
        assertThat(StoreArguments.keptError("y".repeat(MAX_ERROR_CHARS + 5))).hasSize(MAX_ERROR_CHARS);
        String pairAcrossTheLimit = "a".repeat(MAX_ERROR_CHARS - 1) + "\uD83D\uDE00" + "tail";
        assertThat(StoreArguments.keptError(pairAcrossTheLimit)).isEqualTo("a".repeat(MAX_ERROR_CHARS - 1));
    }

    @Test
    void anyTextIsCutTheSameWayToAnyLength() {
        assertThat(StoreArguments.cut("abcdef", 4)).isEqualTo("abcd");
        assertThat(StoreArguments.cut("abc\uD83D\uDE00", 4)).isEqualTo("abc");
        assertThat(StoreArguments.cut("abc", 4)).isEqualTo("abc");
        assertThat(StoreArguments.cut(null, 4)).isNull();
    }
}
