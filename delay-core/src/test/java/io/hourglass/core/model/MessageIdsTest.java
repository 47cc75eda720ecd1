package io.hourglass.core.model;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MessageIdsTest {

    @Test
    void idCarriesItsSlotAndTime() {
        MessageIds ids = new MessageIds();
        long now = 1_763_700_000_000L;
        for (int slot : new int[] {0, 1, 63, 511, 1023}) {
            long id = ids.next(slot, now);
            assertThat(id).isPositive();
            assertThat(MessageIds.slotOf(id)).isEqualTo(slot);
            assertThat(MessageIds.timeOf(id)).isEqualTo(now);
            assertThat(MessageIds.parse(MessageIds.format(id))).isEqualTo(id);
        }
    }

    @Test
    void idsAreUniqueWithinOneMillisecondAndWhenTheClockGoesBack() {
        MessageIds ids = new MessageIds();
        Set<Long> seen = new HashSet<>();
        long now = 1_763_700_000_000L;
        for (int i = 0; i < 10_000; i++) { // more than 4096 in one ms: borrows the next ms
            assertThat(seen.add(ids.next(5, now))).isTrue();
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(ids.next(5, now - 60_000))).isTrue();
        }
    }

    @Test
    void parseRejectsWhatCannotBeAnId() {
        assertThat(MessageIds.parse("abc")).isEqualTo(-1);
        assertThat(MessageIds.parse("")).isEqualTo(-1);
        assertThat(MessageIds.parse(null)).isEqualTo(-1);
        assertThat(MessageIds.parse("-5")).isEqualTo(-1);
        assertThat(MessageIds.parse("0")).isEqualTo(-1);
        assertThat(MessageIds.parse("99999999999999999999")).isEqualTo(-1);
    }
}
