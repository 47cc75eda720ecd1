package io.hourglass.core.model;

/**
 * SCHEDULED messages of one app and topic by how soon they fall due, at the time of the count. The horizons are
 * disjoint: due within 1 minute (overdue ones included), within 1 hour, within 24 hours, later.
 */
public record PendingCount(String appKey, String topic, long within1m, long within1h, long within24h, long later) {

    public static final long MINUTE = 60_000L;
    public static final long HOUR = 3_600_000L;
    public static final long DAY = 86_400_000L;

    public long total() {
        return within1m + within1h + within24h + later;
    }
}
