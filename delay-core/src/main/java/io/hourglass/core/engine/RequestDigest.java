package io.hourglass.core.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digest of a submit request as the client sent it, kept with a message submitted under an idempotency key so
 * that a repeat of the key can be told from a different request reusing it. Covers every field of the request —
 * the time as given (a relative {@code delayMs} repeated later is the same request), header order ignored.
 * Base64url SHA-256, 43 characters.
 */
final class RequestDigest {

    private RequestDigest() {
    }

    static String of(SubmitCommand cmd) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        field(sha, cmd.topic());
        field(sha, cmd.key());
        field(sha, cmd.payload());
        if (cmd.headers() == null) {
            field(sha, null);
        } else {
            field(sha, "h" + cmd.headers().size());
            for (Map.Entry<String, String> h : new TreeMap<>(cmd.headers()).entrySet()) {
                field(sha, h.getKey());
                field(sha, h.getValue());
            }
        }
        field(sha, cmd.delayMs() == null ? null : "d" + cmd.delayMs());
        field(sha, cmd.deliverAt() == null ? null : "a" + cmd.deliverAt());
        field(sha, cmd.repeatIntervalMs() == null ? null : "r" + cmd.repeatIntervalMs());
        // only when set: the digests of requests stored before TTL existed stay what they were
        if (cmd.ttlMs() != null || cmd.expiresAt() != null) {
            field(sha, cmd.ttlMs() == null ? null : "t" + cmd.ttlMs());
            field(sha, cmd.expiresAt() == null ? null : "e" + cmd.expiresAt());
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    }

    /** Length-prefixed, so that no two different field lists feed the same bytes. */
    private static void field(MessageDigest sha, String value) {
        if (value == null) {
            sha.update((byte) 0);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update((byte) 1);
        sha.update(new byte[]{(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8),
                (byte) bytes.length});
        sha.update(bytes);
    }
}
