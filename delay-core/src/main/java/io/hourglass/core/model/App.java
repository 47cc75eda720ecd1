package io.hourglass.core.model;

import java.util.Objects;

/**
 * A client application (a tenant): who it is, whether it may submit, its limits and its secrets.
 *
 * <p>Secrets are never stored, only {@link AppSecret}s (salted hashes). During a rotation the app has two: the new
 * {@code secret} and the {@code previousSecret}, accepted until its {@link AppSecret#validUntil()} so that clients
 * can roll over without downtime.
 *
 * @param appKey         public key, sent as {@code X-App-Key}; never changes
 * @param name           display name (defaults to the key)
 * @param owner          team or person responsible, free text
 * @param description    free text
 * @param enabled        a disabled app is refused ({@code app-disabled}, 403) and its messages are not emitted
 * @param quotas         its limits
 * @param secret         the current secret's hash
 * @param previousSecret the secret replaced by the last rotation while its grace period lasts, or {@code null}
 * @param createdAt      epoch ms
 * @param updatedAt      epoch ms of the last change
 * @param version        bumped by every change; updates are conditional on it (see {@code AppStore#updateApp})
 */
public record App(String appKey, String name, String owner, String description, boolean enabled, AppQuotas quotas,
                  AppSecret secret, AppSecret previousSecret, long createdAt, long updatedAt, long version) {

    public App {
        Objects.requireNonNull(appKey, "appKey");
        Objects.requireNonNull(secret, "secret");
        name = name == null || name.isBlank() ? appKey : name;
        owner = owner == null ? "" : owner;
        description = description == null ? "" : description;
        quotas = quotas == null ? AppQuotas.NONE : quotas;
    }

    /** A new, enabled app without limits, at version 0. */
    public static App create(String appKey, AppSecret secret, long now) {
        return new App(appKey, appKey, "", "", true, AppQuotas.NONE, secret, null, now, now, 0);
    }

    public App withProfile(String name, String owner, String description) {
        return new App(appKey, name, owner, description, enabled, quotas, secret, previousSecret, createdAt, updatedAt,
                version);
    }

    public App withEnabled(boolean enabled) {
        return new App(appKey, name, owner, description, enabled, quotas, secret, previousSecret, createdAt, updatedAt,
                version);
    }

    public App withQuotas(AppQuotas quotas) {
        return new App(appKey, name, owner, description, enabled, quotas, secret, previousSecret, createdAt, updatedAt,
                version);
    }

    /** The app with a new current secret; the old one stays valid until {@code previousValidUntil} (epoch ms). */
    public App withRotatedSecret(AppSecret next, long previousValidUntil) {
        AppSecret previous = previousValidUntil > updatedAt ? secret.validUntil(previousValidUntil) : null;
        return new App(appKey, name, owner, description, enabled, quotas, next, previous, createdAt, updatedAt, version);
    }

    /** The app with only this secret (no grace for any other). */
    public App withOnlySecret(AppSecret only) {
        return new App(appKey, name, owner, description, enabled, quotas, only, null, createdAt, updatedAt, version);
    }

    /** The next version of this app, changed at {@code now}: what {@code AppStore#updateApp} stores. */
    public App touched(long now) {
        return new App(appKey, name, owner, description, enabled, quotas, secret, previousSecret, createdAt, now,
                version + 1);
    }
}
