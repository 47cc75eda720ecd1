package io.hourglass.admin;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RebalancesTest {

    private final Rebalances rebalances = new Rebalances();

    private static List<String> owners(String... owners) {
        return Arrays.asList(owners);
    }

    @Test
    void aFirstSampleWithNoOwnerIsNoChange() {
        rebalances.observe(owners(null, null, null), 1);

        assertThat(rebalances.recent()).isEmpty();
    }

    @Test
    void theFirstOwnedSlotsAreAChangeFromNoOwner() {
        rebalances.observe(owners(null, null), 1);
        rebalances.observe(owners("a", "a"), 2);

        assertThat(rebalances.recent()).containsExactly(new Rebalances.Rebalance(2, 2,
                List.of(new Rebalances.Change(null, "a", List.of(0, 1)))));
    }

    @Test
    void onlyASampleThatDiffersIsRecordedWithTheMovesGroupedByFromAndTo() {
        rebalances.observe(owners("a", "a", "a", "a"), 1);
        rebalances.observe(owners("a", "a", "a", "a"), 2);
        rebalances.observe(owners("a", "b", null, "b"), 3);

        List<Rebalances.Rebalance> recent = rebalances.recent();
        assertThat(recent).hasSize(2);
        assertThat(recent.get(0)).as("newest first").isEqualTo(new Rebalances.Rebalance(3, 3, List.of(
                new Rebalances.Change("a", "b", List.of(1, 3)), new Rebalances.Change("a", null, List.of(2)))));
        assertThat(recent.get(1).at()).isEqualTo(1);
    }

    @Test
    void slotsAddedToTheListMoveFromNoOwner() {
        rebalances.observe(owners("a"), 1);
        rebalances.observe(owners("a", "b"), 2);

        assertThat(rebalances.recent().get(0).changes()).containsExactly(new Rebalances.Change(null, "b", List.of(1)));
    }

    @Test
    void onlyTheLastFiftyChangesAreKept() {
        for (int i = 0; i < Rebalances.KEEP + 10; i++) {
            rebalances.observe(new ArrayList<>(Collections.nCopies(4, i % 2 == 0 ? "a" : "b")), i);
        }

        List<Rebalances.Rebalance> recent = rebalances.recent();
        assertThat(recent).hasSize(Rebalances.KEEP);
        assertThat(recent.get(0).at()).isEqualTo(Rebalances.KEEP + 9);
        assertThat(recent.get(Rebalances.KEEP - 1).at()).isEqualTo(10);
    }
}
