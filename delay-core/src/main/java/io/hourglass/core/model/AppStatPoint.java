package io.hourglass.core.model;

/**
 * Counts of one app in one 10-minute bucket: what every server adds to (the store sums the servers' deltas), read
 * back as the points of the per-app charts (up to 7 days).
 *
 * @param appKey      the app
 * @param bucketStart epoch ms of the bucket's start, a multiple of {@link #BUCKET_MS}
 * @param submitted   messages accepted
 * @param fired       messages emitted (each round of a repeating one)
 * @param dead        messages given up
 */
public record AppStatPoint(String appKey, long bucketStart, long submitted, long fired, long dead) {

    /** The width of a bucket: 10 minutes. */
    public static final long BUCKET_MS = 10 * 60_000L;

    /** The start of the bucket holding {@code epochMs}. */
    public static long bucketOf(long epochMs) {
        return Math.floorDiv(epochMs, BUCKET_MS) * BUCKET_MS;
    }
}
