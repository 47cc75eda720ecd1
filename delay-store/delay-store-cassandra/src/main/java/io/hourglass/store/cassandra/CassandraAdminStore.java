package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.hourglass.core.model.AdminRole;
import io.hourglass.core.model.AdminUser;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.AuditEntry;
import io.hourglass.core.model.NodeSnapshot;
import io.hourglass.core.model.Setting;
import io.hourglass.core.spi.AdminStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link AdminStore} on Cassandra.
 *
 * <ul>
 *   <li>{@code admin_user}: one partition per username; every write is a lightweight transaction ({@code IF NOT
 *       EXISTS}, {@code IF version = v - 1}, {@code IF EXISTS}). {@code listUsers} reads the table and sorts: admin
 *       users are few.</li>
 *   <li>{@code admin_audit}: the whole log in one partition ({@code bucket = 0}) clustered by id descending, so the
 *       newest-first page below an id is one slice. Admin changes are rare (thousands a year: years of them stay far
 *       below the 100 MB partition guidance); the bucket column leaves room for a bucket per year if that ever
 *       changes. {@code admin_audit_by_target} holds the same entries by target (one partition per app or user), for
 *       a target's history. Both are written in one logged batch: either both get the entry or, after a failure,
 *       the batch log completes it.</li>
 *   <li>{@code app_stat}: counter columns, partition per app, clustered by bucket start. Each server adds its deltas
 *       (one counter update per app and bucket); Cassandra sums them. Counter updates are not idempotent: the driver
 *       never retries them, and one whose outcome is unknown (a timeout) may have counted or not: the charts may be
 *       off by that batch. Every app's points scan the table (small: apps x buckets kept).</li>
 *   <li>{@code node_snapshot}: one partition ({@code bucket = 0}) clustered by (taken_at, node_id), kept as short as
 *       the caller's purge makes it (a range delete below a time: one tombstone).</li>
 * </ul>
 */
final class CassandraAdminStore implements AdminStore {

    static final int AUDIT_BUCKET = 0;
    static final int SNAPSHOT_BUCKET = 0;

    private final Cql cql;

    CassandraAdminStore(Cql cql) {
        this.cql = Objects.requireNonNull(cql, "cql");
    }

    @Override
    public Optional<AdminUser> findUser(String username) {
        return call("findUser", () -> Optional.ofNullable(cql.sync(cql.plain(cql.selectUser, username)).one())
                .map(CassandraAdminStore::toUser));
    }

    @Override
    public boolean createUser(AdminUser u) {
        return call("createUser", () -> cql.sync(cql.lwt(cql.insertUserIfAbsent, u.username(), u.passwordHash(),
                u.role().name(), u.enabled(), u.createdAt(), u.updatedAt(), u.version())).wasApplied());
    }

    @Override
    public boolean updateUser(AdminUser u) {
        return call("updateUser", () -> cql.sync(cql.lwt(cql.updateUserIfVersion, u.passwordHash(), u.role().name(),
                u.enabled(), u.updatedAt(), u.version(), u.username(), u.version() - 1)).wasApplied());
    }

    @Override
    public boolean deleteUser(String username) {
        return call("deleteUser", () -> cql.sync(cql.lwt(cql.deleteUserIfExists, username)).wasApplied());
    }

    @Override
    public List<AdminUser> listUsers() {
        return call("listUsers", () -> {
            List<AdminUser> users = new ArrayList<>();
            for (Row r : cql.sync(cql.plain(cql.selectUsers))) {
                users.add(toUser(r));
            }
            users.sort(Comparator.comparing(AdminUser::username));
            return users;
        });
    }

    @Override
    public void appendAudit(AuditEntry e) {
        call("appendAudit", () -> {
            List<BatchableStatement<?>> both = List.of(
                    cql.insertAudit.bind(AUDIT_BUCKET, e.id(), e.at(), e.actor(), e.action(), e.target(), e.before(),
                            e.after()),
                    cql.insertAuditByTarget.bind(e.target(), e.id(), e.at(), e.actor(), e.action(), e.before(),
                            e.after()));
            return cql.sync(cql.logged(both));
        });
    }

    @Override
    public List<AuditEntry> listAudit(long beforeId, String target, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return call("listAudit", () -> {
            List<AuditEntry> entries = new ArrayList<>();
            var statement = target == null ? cql.plain(cql.selectAudit, AUDIT_BUCKET, beforeId, limit)
                    : cql.plain(cql.selectAuditOfTarget, target, beforeId, limit);
            for (Row r : cql.sync(statement)) {
                entries.add(new AuditEntry(r.getLong("id"), r.getLong("created_at"), r.getString("actor"),
                        r.getString("action"), target == null ? r.getString("target") : target,
                        r.getString("before_state"), r.getString("after_state")));
            }
            return entries;
        });
    }

    @Override
    public void addAppStats(List<AppStatPoint> deltas) {
        Map<String, AppStatPoint> summed = new TreeMap<>();
        for (AppStatPoint d : deltas) {
            summed.merge(d.appKey() + '\0' + String.format("%020d", d.bucketStart()), d,
                    (a, b) -> new AppStatPoint(a.appKey(), a.bucketStart(), a.submitted() + b.submitted(),
                            a.fired() + b.fired(), a.dead() + b.dead()));
        }
        call("addAppStats", () -> Lanes.map(List.copyOf(summed.values()), 8, p -> cql.async(cql.counter(
                cql.addAppStat, p.submitted(), p.fired(), p.dead(), p.appKey(), p.bucketStart()))).join());
    }

    @Override
    public List<AppStatPoint> appStats(String appKey, long fromBucket, long toBucket) {
        return call("appStats", () -> {
            List<AppStatPoint> points = new ArrayList<>();
            var statement = appKey == null ? cql.plain(cql.selectAllAppStats, fromBucket, toBucket)
                    : cql.plain(cql.selectAppStats, appKey, fromBucket, toBucket);
            for (Row r : cql.sync(statement)) {
                points.add(new AppStatPoint(r.getString("app_key"), r.getLong("bucket_start"), r.getLong("submitted"),
                        r.getLong("fired"), r.getLong("dead")));
            }
            points.sort(Comparator.comparing(AppStatPoint::appKey).thenComparingLong(AppStatPoint::bucketStart));
            return points;
        });
    }

    @Override
    public void saveNodeSnapshot(NodeSnapshot s) {
        call("saveNodeSnapshot", () -> cql.sync(cql.plain(cql.insertNodeSnapshot, SNAPSHOT_BUCKET, s.takenAt(),
                s.nodeId(), s.address(), s.version(), s.startedAt(), s.ownedSlots(), s.inMemory(), s.heapUsed(),
                s.heapMax())));
    }

    @Override
    public List<NodeSnapshot> nodeSnapshots(long takenSince) {
        return call("nodeSnapshots", () -> {
            List<NodeSnapshot> snapshots = new ArrayList<>();
            for (Row r : cql.sync(cql.plain(cql.selectNodeSnapshots, SNAPSHOT_BUCKET, takenSince))) {
                snapshots.add(new NodeSnapshot(r.getString("node_id"), r.getString("address"),
                        r.getString("server_version"), r.getLong("started_at"), r.getLong("taken_at"),
                        r.getInt("owned_slots"), r.getLong("in_memory"), r.getLong("heap_used"),
                        r.getLong("heap_max")));
            }
            return snapshots;
        });
    }

    @Override
    public int purgeNodeSnapshots(long takenBefore) {
        return call("purgeNodeSnapshots", () -> {
            Row n = cql.sync(cql.plain(cql.countNodeSnapshotsBefore, SNAPSHOT_BUCKET, takenBefore)).one();
            long count = n == null ? 0 : n.getLong(0);
            if (count > 0) {
                cql.sync(cql.plain(cql.deleteNodeSnapshotsBefore, SNAPSHOT_BUCKET, takenBefore));
            }
            return (int) Math.min(Integer.MAX_VALUE, count);
        });
    }

    @Override
    public java.util.Optional<Setting> findSetting(String name) {
        return call("findSetting", () -> java.util.Optional.ofNullable(
                cql.sync(cql.plain(cql.selectSetting, name)).one()).map(CassandraAdminStore::toSetting));
    }

    @Override
    public void putSetting(Setting s) {
        call("putSetting", () -> cql.sync(cql.plain(cql.upsertSetting, s.name(), s.value(), s.updatedAt())));
    }

    @Override
    public boolean deleteSetting(String name) {
        return call("deleteSetting", () -> {
            boolean existed = cql.sync(cql.plain(cql.selectSetting, name)).one() != null;
            cql.sync(cql.plain(cql.deleteSetting, name));
            return existed;
        });
    }

    /** The names with the prefix are one run of the partition's clustering order (UTF-8 bytes) from the prefix on. */
    @Override
    public List<Setting> settings(String prefix) {
        return call("settings", () -> {
            List<Setting> found = new ArrayList<>();
            for (Row r : cql.sync(cql.plain(cql.selectSettingsFrom, prefix, MAX_SETTINGS))) {
                Setting s = toSetting(r);
                if (!s.name().startsWith(prefix)) {
                    break;
                }
                found.add(s);
            }
            return found;
        });
    }

    private static Setting toSetting(Row r) {
        return new Setting(r.getString("name"), r.getString("value"), r.getLong("updated_at"));
    }

    private static AdminUser toUser(Row r) {
        return new AdminUser(r.getString("username"), r.getString("password_hash"),
                AdminRole.valueOf(r.getString("role")), r.getBoolean("enabled"), r.getLong("created_at"),
                r.getLong("updated_at"), r.getLong("version"));
    }

    private static <T> T call(String action, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(action, e);
        }
    }
}
