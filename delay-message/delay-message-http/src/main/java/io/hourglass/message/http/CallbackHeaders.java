package io.hourglass.message.http;

import java.util.Locale;
import java.util.Set;

/**
 * Names of the request headers Hourglass sets on every callback (values are ASCII text). Receivers drop duplicates
 * by {@link #ID} (delivery is at least once) and check {@link #SIGNATURE} before trusting anything else.
 */
public final class CallbackHeaders {

    /** The message id, unsigned decimal ({@code DelayMessage.idString()}). */
    public static final String ID = "X-Hourglass-Id";

    /** The due time, epoch milliseconds UTC, decimal. */
    public static final String DELIVER_AT = "X-Hourglass-Deliver-At";

    /** The app that submitted the message. */
    public static final String APP = "X-Hourglass-App";

    /** The attempt this request is, from 1 ({@code DelayMessage.attempts()}). */
    public static final String ATTEMPT = "X-Hourglass-Attempt";

    /** When this request was sent, epoch <em>seconds</em>; part of the signed content. */
    public static final String TIMESTAMP = "X-Hourglass-Timestamp";

    /** {@code t=<timestamp>,v1=<hex HMAC-SHA256>}: see {@link CallbackSignature}. */
    public static final String SIGNATURE = "X-Hourglass-Signature";

    /** Sent as {@code application/octet-stream} unless the message (or the target) sets its own. */
    public static final String CONTENT_TYPE = "Content-Type";

    /** Prefix of every Hourglass header; a target or message header with it is never sent. */
    static final String RESERVED_PREFIX = "x-hourglass-";

    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> SET_BY_CLIENT = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private CallbackHeaders() {
    }

    /** True for a name in Hourglass's own {@code X-Hourglass-} space (any case). */
    public static boolean isReserved(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith(RESERVED_PREFIX);
    }

    /** True for a header the HTTP client manages itself ({@code Host}, {@code Content-Length}, ...). */
    public static boolean isSetByClient(String name) {
        return SET_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT));
    }
}
