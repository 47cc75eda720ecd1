package io.hourglass.core.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * What every coordinator needs to know about this server, whatever the coordination service ({@code delay.protocol.*}
 * bound by the server; endpoints and credentials are the coordinator module's own properties).
 *
 * @param slotCount         slots written to the slot list when it is absent (1..1024)
 * @param nodeId            this server's id among its peers (unique; host:port by default)
 * @param advertisedAddress base URL other servers use to reach this one (routing of get/cancel/reschedule)
 * @param ttl               lease / session time-to-live of the registration
 * @param rebalanceDelay    quiet time after a change of members or slot list before slots are reassigned
 */
public record ClusterSettings(int slotCount, String nodeId, String advertisedAddress, Duration ttl,
                              Duration rebalanceDelay) {

    public ClusterSettings {
        if (slotCount < 1 || slotCount > io.hourglass.core.model.MessageIds.MAX_SLOTS) {
            throw new IllegalArgumentException("slotCount must be 1.." + io.hourglass.core.model.MessageIds.MAX_SLOTS);
        }
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        Objects.requireNonNull(advertisedAddress, "advertisedAddress");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(rebalanceDelay, "rebalanceDelay");
        if (ttl.toMillis() < 1000) {
            throw new IllegalArgumentException("ttl must be at least 1s");
        }
        if (rebalanceDelay.isNegative()) {
            throw new IllegalArgumentException("rebalanceDelay must not be negative");
        }
    }
}
