package io.hourglass.core.engine;

import io.hourglass.core.spi.Coordinator;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** One server owns every slot: no etcd, no ZooKeeper. */
public final class StandaloneCoordinator implements Coordinator {

    private final int slotCount;
    private final String nodeId;
    private final Set<Integer> all;
    private volatile SlotListener listener;

    public StandaloneCoordinator(int slotCount, String nodeId) {
        if (slotCount <= 0 || slotCount > io.hourglass.core.model.MessageIds.MAX_SLOTS) {
            throw new IllegalArgumentException("slotCount must be 1.." + io.hourglass.core.model.MessageIds.MAX_SLOTS);
        }
        this.slotCount = slotCount;
        this.nodeId = nodeId;
        this.all = IntStream.range(0, slotCount).boxed().collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public void start(SlotListener listener) {
        this.listener = listener;
        listener.slotsAssigned(all);
    }

    @Override
    public Set<Integer> ownedSlots() {
        return listener == null ? Set.of() : all;
    }

    @Override
    public boolean owns(int slot) {
        return listener != null && slot >= 0 && slot < slotCount;
    }

    @Override
    public int slotCount() {
        return slotCount;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public void close() {
        SlotListener l = listener;
        listener = null;
        if (l != null) {
            l.slotsRevoked(all);
        }
    }
}
