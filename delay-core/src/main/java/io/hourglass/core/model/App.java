package io.hourglass.core.model;

import java.util.Objects;

/**
 * A client application. The secret is never stored: only a salted SHA-256 of it (see {@code SecretHasher}).
 *
 * @param appKey     public key, sent as {@code X-App-Key}
 * @param secretHash hex of SHA-256(salt || secret)
 * @param salt       hex salt
 * @param enabled    a disabled app is refused (401)
 * @param createdAt  epoch ms
 */
public record App(String appKey, String secretHash, String salt, boolean enabled, long createdAt) {
    public App {
        Objects.requireNonNull(appKey, "appKey");
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(salt, "salt");
    }
}
