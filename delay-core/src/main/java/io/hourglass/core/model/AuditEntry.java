package io.hourglass.core.model;

import java.util.Objects;

/**
 * One change made through the admin API. Never carries a secret (the admin module redacts before it writes).
 *
 * @param id     unique and increasing with time (epoch ms in the high bits); the keyset cursor of the audit log
 * @param at     epoch ms
 * @param actor  the admin user who made the change
 * @param action a stable verb such as {@code app.create}, {@code app.rotate-secret}, {@code topic.allow}
 * @param target what was changed, such as an app key or a username
 * @param before JSON of the state before, or {@code null}
 * @param after  JSON of the state after, or {@code null}
 */
public record AuditEntry(long id, long at, String actor, String action, String target, String before, String after) {

    public AuditEntry {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
    }
}
