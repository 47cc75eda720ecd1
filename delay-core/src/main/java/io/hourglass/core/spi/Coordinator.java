package io.hourglass.core.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    /**
     * Owned slots that new messages may be tagged with: the owned slots that are in the cluster's slot list. A slot
     * taken out of the list keeps being owned and fired (its messages drain) but receives no new messages.
     */
    default Set<Integer> writableSlots() {
        return ownedSlots();
    }

    /**
     * The node that owns {@code slot}, as this server last saw it (a local lookup). Empty while nobody owns it, e.g.
     * during a rebalance. Used to route get, cancel and reschedule of an existing message to its owner.
     */
    default Optional<String> ownerOf(int slot) {
        return owns(slot) ? Optional.of(nodeId()) : Optional.empty();
    }

    /**
     * The owner of every slot as this server sees it now, indexed by slot: {@link #nodeId()} for the slots it owns,
     * else {@link #ownerOf}, null while nobody owns it. For the admin's slot map, its rebalance history and the
     * {@code hourglass.slots.unowned} gauge.
     */
    default List<String> slotOwners() {
        List<String> owners = new ArrayList<>(slotCount());
        for (int slot = 0; slot < slotCount(); slot++) {
            owners.add(owns(slot) ? nodeId() : ownerOf(slot).orElse(null));
        }
        return owners;
    }

    /** The address a live member registered (its advertised base URL, e.g. {@code http://10.0.0.5:8080}). */
    default Optional<String> addressOf(String nodeId) {
        return Optional.empty();
    }

    /** Total number of slots in the cluster. */
    int slotCount();

    /** This server's id among its peers. */
    String nodeId();

    @Override
    void close();

    /** Hears about changes of ownership. Called from the coordinator's thread; must return quickly. */
    interface SlotListener {
        /**
         * Called after this server gained {@code slots} (possibly none) or after {@link #writableSlots()} changed;
         * the listener re-reads {@link #ownedSlots()} and {@link #writableSlots()}.
         */
        void slotsAssigned(Set<Integer> slots);

        /** Called before {@code slots} are released to anyone else: the listener stops firing them and returns. */

        void slotsRevoked(Set<Integer> slots);
    }
}
