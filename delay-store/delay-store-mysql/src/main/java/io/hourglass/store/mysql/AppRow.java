package io.hourglass.store.mysql;

import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.model.AppSecret;

/**
 * One row of {@code delay_message_app} as MyBatis reads and writes it: flat, with the quotas and both secrets spread
 * over columns (the previous secret's three columns are NULL when there is none). MyBatis sets the fields directly.
 */
final class AppRow {

    String appKey;
    String name;
    String owner;
    String description;
    boolean enabled;
    long submitsPerSecond;
    long maxPending;
    int maxPayloadBytes;
    long minRepeatIntervalMs;
    String secretHash;
    String salt;
    long secretValidUntil;
    String prevSecretHash;
    String prevSalt;
    Long prevSecretValidUntil;
    long createdAt;
    long updatedAt;
    long version;

    static AppRow of(App a) {
        AppRow r = new AppRow();
        r.appKey = a.appKey();
        r.name = a.name();
        r.owner = a.owner();
        r.description = a.description();
        r.enabled = a.enabled();
        r.submitsPerSecond = a.quotas().submitsPerSecond();
        r.maxPending = a.quotas().maxPending();
        r.maxPayloadBytes = a.quotas().maxPayloadBytes();
        r.minRepeatIntervalMs = a.quotas().minRepeatIntervalMs();
        r.secretHash = a.secret().hash();
        r.salt = a.secret().salt();
        r.secretValidUntil = a.secret().validUntil();
        if (a.previousSecret() != null) {
            r.prevSecretHash = a.previousSecret().hash();
            r.prevSalt = a.previousSecret().salt();
            r.prevSecretValidUntil = a.previousSecret().validUntil();
        }
        r.createdAt = a.createdAt();
        r.updatedAt = a.updatedAt();
        r.version = a.version();
        return r;
    }

    App toApp() {
        AppSecret previous = prevSecretHash == null || prevSalt == null ? null
                : new AppSecret(prevSecretHash, prevSalt, prevSecretValidUntil == null ? 0 : prevSecretValidUntil);
        return new App(appKey, name, owner, description, enabled,
                new AppQuotas(submitsPerSecond, maxPending, maxPayloadBytes, minRepeatIntervalMs),
                new AppSecret(secretHash, salt, secretValidUntil), previous, createdAt, updatedAt, version);
    }
}
