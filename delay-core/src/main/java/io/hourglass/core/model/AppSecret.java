package io.hourglass.core.model;

import java.util.Objects;

/**
 * A stored app secret: a salted hash, never the secret itself.
 *
 * <p>App secrets are long random tokens (at least 32 random bytes), not passwords a person chose, so a fast hash is
 * the right tool, as for API tokens elsewhere: there is nothing to guess by brute force, and a slow KDF would cost
 * milliseconds on every request.
 *
 * @param hash       hex of SHA-256(salt || secret)
 * @param salt       hex
 * @param validUntil epoch ms after which it is refused; {@link Long#MAX_VALUE} for the current secret
 */
public record AppSecret(String hash, String salt, long validUntil) {

    public AppSecret {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(salt, "salt");
    }

    /** A current secret (no end). */
    public AppSecret(String hash, String salt) {
        this(hash, salt, Long.MAX_VALUE);
    }

    public AppSecret validUntil(long until) {
        return new AppSecret(hash, salt, until);
    }

    public boolean validAt(long now) {
        return now < validUntil;
    }
}
