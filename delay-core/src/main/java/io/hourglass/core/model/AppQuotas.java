package io.hourglass.core.model;

/**
 * The limits of one app, checked on every submit path before anything is stored. Zero means "no limit of the app's
 * own": the server-wide limits ({@code delay.core.*}) still hold.
 *
 * @param submitsPerSecond    messages accepted per second (a batch of n counts n); 0 = unlimited
 * @param maxPending          SCHEDULED messages the app may have at once; 0 = unlimited
 * @param maxPayloadBytes     largest payload in UTF-8 bytes, at most the server's {@code max-payload-bytes}; 0 = the
 *                            server's
 * @param minRepeatIntervalMs smallest {@code repeatIntervalMs}, at least the server's minimum; 0 = the server's
 */
public record AppQuotas(long submitsPerSecond, long maxPending, int maxPayloadBytes, long minRepeatIntervalMs) {

    public static final AppQuotas NONE = new AppQuotas(0, 0, 0, 0);

    public AppQuotas {
        if (submitsPerSecond < 0 || maxPending < 0 || maxPayloadBytes < 0 || minRepeatIntervalMs < 0) {
            throw new IllegalArgumentException("quotas are >= 0 (0 = no limit of the app's own)");
        }
    }
}
