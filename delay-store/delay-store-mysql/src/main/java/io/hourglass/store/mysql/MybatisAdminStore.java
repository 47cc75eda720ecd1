package io.hourglass.store.mysql;

import io.hourglass.core.model.AdminUser;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.AuditEntry;
import io.hourglass.core.model.NodeSnapshot;
import io.hourglass.core.spi.AdminStore;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Optional;

import static io.hourglass.store.mysql.StoreErrors.call;

/**
 * {@link AdminStore} on MyBatis: tables {@code delay_admin_user} and {@code delay_admin_audit}. Users are changed
 * with an UPDATE conditional on the version before it; the audit log is read newest first by keyset on its id.
 */
final class MybatisAdminStore implements AdminStore {

    private final AdminMapper mapper;

    MybatisAdminStore(AdminMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public Optional<AdminUser> findUser(String username) {
        return call("findUser", () -> Optional.ofNullable(mapper.selectUser(username)));
    }

    @Override
    public boolean createUser(AdminUser user) {
        return call("createUser", () -> {
            try {
                return mapper.insertUser(user) == 1;
            } catch (RuntimeException e) {
                if (StoreErrors.isDuplicate(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public boolean updateUser(AdminUser user) {
        return call("updateUser", () -> mapper.updateUser(user) == 1);
    }

    @Override
    public boolean deleteUser(String username) {
        return call("deleteUser", () -> mapper.deleteUser(username) > 0);
    }

    @Override
    public List<AdminUser> listUsers() {
        return call("listUsers", mapper::selectUsers);
    }

    @Override
    public void appendAudit(AuditEntry entry) {
        call("appendAudit", () -> mapper.insertAudit(entry));
    }

    @Override
    public List<AuditEntry> listAudit(long beforeId, String target, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return call("listAudit", () -> mapper.selectAudit(beforeId, target, limit));
    }

    /**
     * Sums the points per (app, bucket) first, then one upsert per row in (app, bucket) order, each its own
     * statement: concurrent adds of several servers lock one row at a time, in the same order, and never deadlock.
     */
    @Override
    public void addAppStats(List<AppStatPoint> deltas) {
        Map<String, AppStatPoint> summed = new TreeMap<>();
        for (AppStatPoint d : deltas) {
            summed.merge(d.appKey() + '\0' + String.format("%020d", d.bucketStart()), d,
                    (a, b) -> new AppStatPoint(a.appKey(), a.bucketStart(), a.submitted() + b.submitted(),
                            a.fired() + b.fired(), a.dead() + b.dead()));
        }
        call("addAppStats", () -> {
            for (AppStatPoint p : summed.values()) {
                mapper.addAppStat(p);
            }
            return null;
        });
    }

    @Override
    public List<AppStatPoint> appStats(String appKey, long fromBucket, long toBucket) {
        return call("appStats", () -> mapper.selectAppStats(appKey, fromBucket, toBucket));
    }

    @Override
    public void saveNodeSnapshot(NodeSnapshot snapshot) {
        call("saveNodeSnapshot", () -> mapper.upsertNodeSnapshot(snapshot));
    }

    @Override
    public List<NodeSnapshot> nodeSnapshots(long takenSince) {
        return call("nodeSnapshots", () -> mapper.selectNodeSnapshots(takenSince));
    }

    @Override
    public int purgeNodeSnapshots(long takenBefore) {
        return call("purgeNodeSnapshots", () -> mapper.deleteNodeSnapshots(takenBefore));
    }


    @Override
    public java.util.Optional<io.hourglass.core.model.Setting> findSetting(String name) {
        return call("findSetting", () -> java.util.Optional.ofNullable(mapper.selectSetting(name)));
    }

    @Override
    public void putSetting(io.hourglass.core.model.Setting setting) {
        call("putSetting", () -> mapper.upsertSetting(setting));
    }

    @Override
    public boolean deleteSetting(String name) {
        return call("deleteSetting", () -> mapper.deleteSetting(name) > 0);
    }

    @Override
    public List<io.hourglass.core.model.Setting> settings(String prefix) {
        // the names with the prefix are one run of the primary key from the prefix on, in any binary order (the
        // database's and Java's agree on that much): read from the prefix and keep the run
        return call("settings", () -> mapper.selectSettings(prefix, MAX_SETTINGS).stream()
                .takeWhile(s -> s.name().startsWith(prefix)).toList());
    }
}
