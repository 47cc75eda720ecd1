package io.hourglass.core.cluster;

import io.hourglass.core.model.MessageIds;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The slot list as it is stored at {@link ClusterPaths#SLOT_LIST}: comma-separated slot ids ({@code "0,1,2,...,63"}),
 * the original system's format, which an operator edits with {@code etcdctl put} / {@code zkCli set}. Blanks around
 * ids are allowed and duplicates are folded; anything else (an empty list, a non-number, an id outside
 * 0..{@value MessageIds#MAX_SLOTS}-1) is malformed and rejected as a whole.
 */
public final class SlotList {

    private SlotList() {
    }

    /** Slots {@code 0..count-1}. */
    public static SortedSet<Integer> range(int count) {
        return IntStream.range(0, count).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    /** The CSV of {@code slots} in ascending order. */
    public static String format(Collection<Integer> slots) {
        return new TreeSet<>(slots).stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /**
     * Parses a stored list.
     *
     * @throws IllegalArgumentException naming the first bad element when the list is malformed
     */
    public static SortedSet<Integer> parse(String csv) {
        if (csv == null || csv.isBlank()) {
            throw new IllegalArgumentException("empty slot list");
        }
        TreeSet<Integer> slots = new TreeSet<>();
        for (String part : csv.split(",", -1)) {
            String token = part.strip();
            int slot;
            try {
                slot = Integer.parseInt(token);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a slot id: '" + token + "'");
            }
            if (slot < 0 || slot >= MessageIds.MAX_SLOTS) {
                throw new IllegalArgumentException("slot " + slot + " outside 0.." + (MessageIds.MAX_SLOTS - 1));
            }
            slots.add(slot);
        }
        return Collections.unmodifiableSortedSet(slots);
    }
}
