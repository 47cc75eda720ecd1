package io.hourglass.core.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class SlotAssignerTest {

    private static List<String> nodes(int n) {
        return IntStream.range(0, n).mapToObj(i -> "10.0.0." + i + ":8080").collect(Collectors.toList());
    }

    @ParameterizedTest
    @CsvSource({"1,64", "2,64", "3,64", "5,64", "7,1024", "16,1024", "10,7", "4,0", "3,1"})
    void everySlotGoesToExactlyOneMemberAndLoadsDifferByAtMostOne(int n, int m) {
        Map<String, SortedSet<Integer>> a = SlotAssigner.assign(nodes(n), SlotList.range(m));

        assertThat(a).hasSize(n);
        List<Integer> all = a.values().stream().flatMap(Set::stream).sorted().toList();
        assertThat(all).containsExactlyElementsOf(SlotList.range(m));
        int min = a.values().stream().mapToInt(Set::size).min().orElseThrow();
        int max = a.values().stream().mapToInt(Set::size).max().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1);
        assertThat(min).isEqualTo(m / n);
    }

    @Test
    void theAssignmentDependsOnlyOnTheViewNotOnItsOrder() {
        List<String> members = new ArrayList<>(nodes(5));
        List<Integer> slots = new ArrayList<>(SlotList.range(100));
        slots.addAll(List.of(500, 700, 1023));
        Map<String, SortedSet<Integer>> first = SlotAssigner.assign(members, slots);
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(members, random);
            Collections.shuffle(slots, random);
            List<String> withDuplicate = new ArrayList<>(members);
            withDuplicate.add(members.get(0));
            assertThat(SlotAssigner.assign(withDuplicate, slots)).isEqualTo(first);
        }
    }

    @Test
    void noMembersMeansNobodyOwnsAnything() {
        assertThat(SlotAssigner.assign(List.of(), SlotList.range(64))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"1,64", "2,64", "4,64", "8,1024"})
    void aJoiningMemberTakesAboutItsShareAndLittleElseMoves(int n, int m) {
        List<String> before = nodes(n);
        List<String> after = nodes(n + 1);
        int moved = moved(SlotAssigner.assign(before, SlotList.range(m)), SlotAssigner.assign(after, SlotList.range(m)));

        int share = m / (n + 1);
        assertThat(moved).isGreaterThanOrEqualTo(share).isLessThanOrEqualTo(2 * share + n + 1);
    }

    @ParameterizedTest
    @CsvSource({"2,64", "4,64", "8,1024"})
    void aLeavingMembersSlotsAreSpreadAndLittleElseMoves(int n, int m) {
        List<String> before = nodes(n);
        List<String> after = new ArrayList<>(before);
        after.remove(n / 2);
        int moved = moved(SlotAssigner.assign(before, SlotList.range(m)), SlotAssigner.assign(after, SlotList.range(m)));

        int share = (m + n - 1) / n;
        assertThat(moved).isGreaterThanOrEqualTo(m / n).isLessThanOrEqualTo(2 * share + n);
    }

    /** Slots whose owner differs between two assignments. */
    private static int moved(Map<String, SortedSet<Integer>> a, Map<String, SortedSet<Integer>> b) {
        Set<String> pairsA = new HashSet<>();
        a.forEach((node, slots) -> slots.forEach(s -> pairsA.add(node + "#" + s)));
        int moved = 0;
        for (Map.Entry<String, SortedSet<Integer>> e : b.entrySet()) {
            for (int s : e.getValue()) {
                if (!pairsA.contains(e.getKey() + "#" + s)) {
                    moved++;
                }
            }
        }
        return moved;
    }
}
