package io.hourglass.protocol.tck;

import io.hourglass.core.spi.Coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Who holds which slot according to the listener calls of every server of a test, in the order they happened. A
 * slot assigned to a server while another one has not yet been told to give it up is a violation: the engine of both
 * would fire it. Times are {@link System#nanoTime()}.
 */
public final class OwnershipLedger {

    /** One listener call. */
    public record Event(long nanos, String node, boolean gained, Set<Integer> slots) {
    }

    private final Map<Integer, String> holders = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    /** The listener a server of the test starts with. */
    public Coordinator.SlotListener listenerFor(String node) {
        return new Coordinator.SlotListener() {
            @Override
            public void slotsAssigned(Set<Integer> slots) {
                gained(node, slots);
            }

            @Override
            public void slotsRevoked(Set<Integer> slots) {
                revoked(node, slots);
            }
        };
    }

    synchronized void gained(String node, Set<Integer> slots) {
        events.add(new Event(System.nanoTime(), node, true, Set.copyOf(slots)));
        for (int slot : slots) {
            String before = holders.putIfAbsent(slot, node);
            if (before != null && !before.equals(node)) {
                violations.add("slot " + slot + " assigned to " + node + " while " + before + " still held it");
            }
        }
    }

    synchronized void revoked(String node, Set<Integer> slots) {
        events.add(new Event(System.nanoTime(), node, false, Set.copyOf(slots)));
        for (int slot : slots) {
            holders.remove(slot, node);
        }
    }

    /** Every slot given to a second server before the first was told to stop firing it. */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** When {@code node} was last told to give up {@code slot} (at or after {@code sinceNanos}). */
    public synchronized OptionalLong revokedAt(String node, int slot, long sinceNanos) {
        return events.stream().filter(e -> !e.gained() && e.node().equals(node) && e.slots().contains(slot)
                && e.nanos() >= sinceNanos).mapToLong(Event::nanos).max();
    }

    /** When any server other than {@code node} was first given {@code slot} (at or after {@code sinceNanos}). */
    public synchronized OptionalLong takenOverAt(String node, int slot, long sinceNanos) {
        return events.stream().filter(e -> e.gained() && !e.node().equals(node) && e.slots().contains(slot)
                && e.nanos() >= sinceNanos).mapToLong(Event::nanos).min();
    }
}
