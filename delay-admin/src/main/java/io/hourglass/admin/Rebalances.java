package io.hourglass.admin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The last {@value #KEEP} changes of the slot map as this server's coordinator saw them, newest first, for the
 * cluster view. {@link #observe} is given the owner of every slot now (a sample, every 5 s by the
 * {@link AdminSampler}); a sample that differs from the previous one is recorded as the slots that moved, grouped by
 * (from, to). The first sample is compared with a map of no owners, so it is recorded when any slot is owned. Moves
 * that undo each other between two samples are not seen. Owns no thread and reads no clock.
 */
public final class Rebalances {

    static final int KEEP = 50;

    /** Slots that went from one owner to another (null: none), in slot order. */
    public record Change(String from, String to, List<Integer> slots) {
    }

    /** One change of the slot map: when it was seen, how many slots moved, and the moves. */
    public record Rebalance(long at, int moved, List<Change> changes) {
    }

    private record Move(String from, String to) {
    }

    private List<String> previous = List.of(); // guarded by this
    private final ArrayDeque<Rebalance> recent = new ArrayDeque<>(KEEP); // newest first, guarded by this

    /** Compares {@code owners} (the owner of each slot, null for none) with the previous sample, taken at {@code at}. */
    public synchronized void observe(List<String> owners, long at) {
        Map<Move, List<Integer>> moves = new LinkedHashMap<>();
        int moved = 0;
        for (int slot = 0; slot < Math.max(owners.size(), previous.size()); slot++) {
            String from = slot < previous.size() ? previous.get(slot) : null;
            String to = slot < owners.size() ? owners.get(slot) : null;
            if (!Objects.equals(from, to)) {
                moves.computeIfAbsent(new Move(from, to), m -> new ArrayList<>()).add(slot);
                moved++;
            }
        }
        previous = Collections.unmodifiableList(new ArrayList<>(owners)); // may hold nulls
        if (moved == 0) {
            return;
        }
        List<Change> changes = new ArrayList<>(moves.size());
        moves.forEach((m, slots) -> changes.add(new Change(m.from(), m.to(), List.copyOf(slots))));
        if (recent.size() == KEEP) {
            recent.removeLast();
        }
        recent.addFirst(new Rebalance(at, moved, List.copyOf(changes)));
    }

    /** The recorded changes, newest first. */
    public synchronized List<Rebalance> recent() {
        return List.copyOf(recent);
    }
}
