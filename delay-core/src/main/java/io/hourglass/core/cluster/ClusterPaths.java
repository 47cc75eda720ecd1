package io.hourglass.core.cluster;

/**
 * The key layout shared by every coordination service (etcd keys, ZooKeeper znodes), below an optional
 * prefix/namespace of the deployment. It keeps the original system's layout and adds {@link #EVER_LISTED} and the
 * announcement keys under {@link #COMMON} (the original's {@code common.cacheVersion}).
 *
 * <pre>
 * /delay/servers/{nodeId}      value: advertised address      bound to the server's lease / ephemeral
 * /delay/slot/all-slot         value: "0,1,...,63"            persistent; written only if absent; operators edit it
 * /delay/slot/ever             value: "0,1,...,127"           persistent; every slot ever listed, only grows
 * /delay/slot/owner/{slot}     value: nodeId of the owner     bound to the owner's lease / ephemeral
 * /delay/common/app-changed    value: "{counter}:{appKey}"    persistent; rewritten on every app change (announcement)
 * </pre>
 *
 * <p>Keys directly under {@link #COMMON} are <em>announcement keys</em> ({@link ClusterBackend#announce}): what counts
 * is that they were written, not what they hold; every backend reports each write to them.
 */
public final class ClusterPaths {

    public static final String ROOT = "/delay";
    public static final String SERVERS = "/delay/servers";
    public static final String SLOT_LIST = "/delay/slot/all-slot";
    public static final String EVER_LISTED = "/delay/slot/ever";
    public static final String OWNERS = "/delay/slot/owner";
    /** Parent of the announcement keys. */
    public static final String COMMON = "/delay/common";
    /** Announcement of a changed app ({@link CoordinatorAppChangeBus}). */
    public static final String APP_CHANGED = "/delay/common/app-changed";

    private ClusterPaths() {
    }

    public static String server(String nodeId) {
        return SERVERS + "/" + nodeId;
    }

    public static String owner(int slot) {
        return OWNERS + "/" + slot;
    }

    /** True for an announcement key: a key directly under {@link #COMMON}. */
    public static boolean isAnnouncement(String path) {
        return path.startsWith(COMMON + "/") && path.indexOf('/', COMMON.length() + 1) < 0
                && path.length() > COMMON.length() + 1;
    }
}
