package io.hourglass.core.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SlotListTest {

    @Test
    void theOriginalFormatRoundTrips() {
        assertThat(SlotList.format(SlotList.range(4))).isEqualTo("0,1,2,3");
        assertThat(SlotList.parse("0,1,2,3")).containsExactly(0, 1, 2, 3);
    }

    @Test
    void blanksAndDuplicatesAreTolerated() {
        assertThat(SlotList.parse(" 3, 1 ,1,\t1023\n")).containsExactly(1, 3, 1023);
        assertThat(SlotList.format(List.of(5, 2, 2))).isEqualTo("2,5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "0,1,x", "0,,1", "0,1,", "-1", "1024", "0;1", "1.5"})
    void aMalformedListIsRejectedAsAWhole(String csv) {
        assertThatIllegalArgumentException().isThrownBy(() -> SlotList.parse(csv));
    }
}
