package io.hourglass.core.spi;

import java.util.Set;

/**
 * Slot ownership. A server fires only the slots it owns; {@link #owns(int)} is a local lookup kept current by
 * the implementation (watches, leases), never a round trip.
 *
 * <p>Life cycle: {@link #start} once, then {@link #close}. When ownership changes the listener hears about it:
 * revocations first, and before the slot is released to anyone else, so the engine stops firing it in time.
 * An implementation that loses its lease or session revokes every slot at once.
 */
public interface Coordinator extends AutoCloseable {

    void start(SlotListener listener);

    /** Slots this server owns now (an immutable snapshot). */
    Set<Integer> ownedSlots();

    default boolean owns(int slot) {
        return ownedSlots().contains(slot);
    }

    /** Total number of slots in the cluster. */
    int slotCount();

    /** This server's id among its peers. */
    String nodeId();

    @Override
    void close();

    /** Hears about changes of ownership. Called from the coordinator's thread; must return quickly. */
    interface SlotListener {
        void slotsAssigned(Set<Integer> slots);

        void slotsRevoked(Set<Integer> slots);
    }
}
