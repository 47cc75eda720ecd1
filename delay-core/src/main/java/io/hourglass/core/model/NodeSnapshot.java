package io.hourglass.core.model;

/**
 * What one server reports of itself on a schedule (every few seconds), for the admin's cluster view.
 *
 * @param nodeId      the server's node id
 * @param address     its advertised base URL
 * @param version     the Hourglass version it runs
 * @param startedAt   epoch ms of its start
 * @param takenAt     epoch ms of this snapshot: its last heartbeat as far as the admin can tell
 * @param ownedSlots  slots it owns
 * @param inMemory    messages in its timing wheel
 * @param heapUsed    bytes of heap in use
 * @param heapMax     the heap's maximum in bytes
 */
public record NodeSnapshot(String nodeId, String address, String version, long startedAt, long takenAt,
                           int ownedSlots, long inMemory, long heapUsed, long heapMax) {
}
