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
 * <p><b>Announcements.</b> Keys directly under {@link ClusterPaths#COMMON} are announcement keys: {@link #announce}
 * rewrites one, and every backend watching reports each write to it with {@link Events#announced}, in the order of
 * the writes, with the key's version so that writes coalesced by the service's watch mechanism (ZooKeeper) show as a
 * gap. A report that follows a (re)load rather than a watched write is flagged {@code reloaded}: writes before it may
 * have been missed.
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

    /**
     * Writes the announcement key {@code path} (persistent, not bound to a session; created if absent) so that every
     * backend watching reports it, even when {@code value} equals the current one. Unlike the operations above it
     * may be called from any thread, and at any time: it throws when the backend is not (yet, or no longer) connected.
     */
    void announce(String path, String value) throws Exception;

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

        /**
         * The announcement key {@code path} (under {@link ClusterPaths#COMMON}) was written, or deleted, or (re)loaded.
         *
         * @param value    its value, or null when absent
         * @param version  the key's version: 1 when created, one more with every write, 0 when absent (etcd: the
         *                 key's {@code version}; ZooKeeper: the node's data version + 1). A report whose version is
         *                 more than one above the previous report's stands for several writes, of which only the
         *                 last value is known.
         * @param reloaded true when the report comes from a (re)load of the view (the first load, a reload after a
         *                 compaction, a watch reopened or a reconnection), not from a watched write: writes before it
         *                 may have been missed. Reported once for each announcement key present at that time, or with
         *                 a null value and version 0 for {@link ClusterPaths#APP_CHANGED} when none is.
         */
        default void announced(String path, String value, long version, boolean reloaded) {
        }
    }
}
