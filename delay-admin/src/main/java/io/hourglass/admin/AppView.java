package io.hourglass.admin;

import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;

import java.util.Set;
import java.util.TreeSet;

/**
 * An app as the admin API shows it (and as the audit log records it): never a secret or its hash.
 *
 * @param previousSecretValidUntil end of the grace period of the secret replaced by the last rotation, or null
 */
public record AppView(String appKey, String name, String owner, String description, boolean enabled,
                      Quotas quotas, Set<String> topics, long createdAt, long updatedAt,
                      Long previousSecretValidUntil, long version) {

    /** The quotas; 0 = no limit of the app's own. */
    public record Quotas(long submitsPerSecond, long maxPending, int maxPayloadBytes, long minRepeatIntervalMs) {
        static Quotas of(AppQuotas q) {
            return new Quotas(q.submitsPerSecond(), q.maxPending(), q.maxPayloadBytes(), q.minRepeatIntervalMs());
        }

        AppQuotas toModel() {
            return new AppQuotas(submitsPerSecond, maxPending, maxPayloadBytes, minRepeatIntervalMs);
        }
    }

    static AppView of(App app, Set<String> topics, long now) {
        Long grace = app.previousSecret() != null && app.previousSecret().validAt(now)
                ? app.previousSecret().validUntil() : null;
        return new AppView(app.appKey(), app.name(), app.owner(), app.description(), app.enabled(),
                Quotas.of(app.quotas()), new TreeSet<>(topics), app.createdAt(), app.updatedAt(), grace, app.version());
    }
}
