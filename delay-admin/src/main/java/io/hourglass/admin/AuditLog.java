package io.hourglass.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.AuditEntry;
import io.hourglass.core.spi.AdminStore;

import java.security.SecureRandom;
import java.util.List;

/**
 * Writes and reads the audit log: who changed what, when, with the state before and after as JSON. Callers pass
 * views that carry no secret (an app's view has no hash, a user's no password hash), so nothing secret is written.
 *
 * <p>Ids are the time in ms shifted left by 20 bits plus a random number below 2^19: increasing with time across
 * servers without coordination, and strictly increasing on one server (an id is at least the previous one + 1), so
 * entries of one server read back in the order they were written. Two servers collide only when they write in the
 * same ms and draw the same number; the store refuses the second and it is retried with a new draw.
 */
public final class AuditLog {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final AdminStore store;
    private final DelayClock clock;
    private final ObjectMapper json;
    private final java.util.concurrent.atomic.AtomicLong lastId = new java.util.concurrent.atomic.AtomicLong();

    public AuditLog(AdminStore store, DelayClock clock, ObjectMapper json) {
        this.store = store;
        this.clock = clock;
        this.json = json;
    }

    public void record(String actor, String action, String target, Object before, Object after) {
        long now = clock.now();
        String beforeJson = toJson(before);
        String afterJson = toJson(after);
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                long drawn = (now << 20) | RANDOM.nextInt(1 << 19);
                long id = lastId.updateAndGet(previous -> Math.max(previous + 1, drawn));
                store.appendAudit(new AuditEntry(id, now, actor, action, target, beforeJson, afterJson));
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    public List<AuditEntry> read(long beforeId, String target, int limit) {
        return store.listAudit(beforeId, target, limit);
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit value not serializable: " + value.getClass(), e);
        }
    }
}
