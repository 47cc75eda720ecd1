package io.hourglass.core.cluster;

import java.util.Map;
import java.util.Set;

/**
 * The few primitives {@link ClusterCoordinator} needs from a coordination service (etcd, ZooKeeper), over the layout
 * of {@link ClusterPaths}. Everything else (assignment, ordering of revocation and release, fencing on a lost
 * session) is the coordinator's, so that backends differ only here.
 *
 * <p><b>Session.</b> A backend holds at most one session at a time: an etcd lease kept alive, a ZooKeeper session.
 * It reports {@link Events#sessionStarted} with the session's id and {@link Events#sessionLost} as soon as it can no
 * longer be sure the session is alive, <em>before</em> the coordination service can have expired it (that is the
 * backend's half of the fencing argument, see docs/coordination.md). After a loss it opens a new session by itself
 * when it can and reports it again. Keys bound to a session vanish with it.
 *
 * <p><b>Views.</b> The backend watches members, slot list, the ever-listed record and owners, and reports each view as
 * a complete snapshot whenever it changes (first snapshot once loaded), in the order the service applied the changes,
 * including changes made while it was disconnected (watches resume or reload after a reconnect).
 *
 * <p><b>Threading.</b> Events come from the backend's threads and must be cheap. The operations below are called
 * from the coordinator's single thread; they block for at most the backend's operation timeout and throw on failure
 * (the coordinator retries). Operations taking a {@code session} act for that session only: they fail, or do
 * nothing, when it is no longer the backend's current one.
 */
public interface ClusterBackend extends AutoCloseable {

    /** Connects, starts the watches and opens the first session; returns without waiting for them. */
    void start(Events events);

    /** Writes {@code /delay/servers/{nodeId} = address}, bound to {@code session} (replacing a stale entry). */
    void register(long session, String nodeId, String address) throws Exception;

    /** Writes the slot list if, and only if, it is absent. */
    void createSlotListIfAbsent(String csv) throws Exception;

    /** Grows the ever-listed record to include {@code slots} (a compare-and-set loop: it never shrinks). */
    void recordEverListed(Set<Integer> slots) throws Exception;

    /**
     * Creates {@code /delay/slot/owner/{slot} = nodeId} bound to {@code session} if the key is absent.
     *
     * @return true when the key is now held by {@code session} (created now, or already held by it); false when
     * anyone else holds it, including an earlier session of this same node
     */
    boolean claimOwner(long session, int slot, String nodeId) throws Exception;

    /** Deletes {@code /delay/slot/owner/{slot}} if, and only if, {@code session} holds it. */
    void releaseOwner(long session, int slot, String nodeId) throws Exception;

    /** Ends the session (revokes the lease / closes the ZooKeeper session) so its keys vanish now, and disconnects. */
    @Override
    void close();

    /** The holder of an owner key: the node named in its value and the session it is bound to. */
    record Owner(String nodeId, long session) {
    }

    /** What the backend reports; see the interface comment for order and threading. */
    interface Events {

        /** A session is in place (the first one, or a new one after a loss). */
        void sessionStarted(long session);

        /** {@code session} may no longer be alive: stop firing at once. */
        void sessionLost(long session, String reason);

        /** Registered servers: nodeId to advertised address. */
        void membersChanged(Map<String, String> members);

        /** The raw slot list, or null when the key is absent. */
        void slotListChanged(String csv);

        /** The raw ever-listed record, or null when the key is absent. */
        void everListedChanged(String csv);

        /** Owner keys: slot to holder. */
        void ownersChanged(Map<Integer, Owner> owners);
    }
}
