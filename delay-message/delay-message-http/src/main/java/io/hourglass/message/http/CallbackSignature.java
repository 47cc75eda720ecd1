package io.hourglass.message.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The {@code X-Hourglass-Signature} of a callback: {@code t=<timestamp>,v1=<hex>}, where {@code hex} is the lower-case
 * hex HMAC-SHA256, keyed with the app's signing secret, of the ASCII {@code "<timestamp>."} followed by the body bytes,
 * and {@code timestamp} is the request's {@code X-Hourglass-Timestamp} (epoch seconds).
 *
 * <p>Signing the timestamp with the body lets a receiver refuse replays: it rejects a timestamp older than
 * {@link #REPLAY_WINDOW_SECONDS} (docs/callbacks.md shows the check).
 */
public final class CallbackSignature {

    /** How old a timestamp receivers should still accept: 5 minutes. */
    public static final long REPLAY_WINDOW_SECONDS = 300;

    private static final String ALGORITHM = "HmacSHA256";

    private CallbackSignature() {
    }

    /** The header value for {@code body} sent at {@code timestampSeconds}, signed with {@code secret}. */
    public static String header(byte[] secret, long timestampSeconds, byte[] body) {
        return "t=" + timestampSeconds + ",v1=" + hex(secret, timestampSeconds, body);
    }

    /** The lower-case hex HMAC-SHA256 of {@code "<timestampSeconds>." + body}. */
    static String hex(byte[] secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e); // every JDK has it
        }
    }
}
