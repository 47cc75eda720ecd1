package io.hourglass.core.testing;

import io.hourglass.core.model.AdminUser;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.AuditEntry;
import io.hourglass.core.model.NodeSnapshot;
import io.hourglass.core.model.Setting;
import io.hourglass.core.spi.AdminStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** An {@link AdminStore} in maps, for tests. */
public final class InMemoryAdminStore implements AdminStore {
    private final ConcurrentSkipListMap<String, AdminUser> users = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<Long, AuditEntry> audit = new ConcurrentSkipListMap<>();
    private final java.util.TreeMap<String, AppStatPoint> stats = new java.util.TreeMap<>();
    private final List<NodeSnapshot> snapshots = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Optional<AdminUser> findUser(String username) {
        return Optional.ofNullable(users.get(username));
    }

    @Override
    public boolean createUser(AdminUser user) {
        return users.putIfAbsent(user.username(), user) == null;
    }

    @Override
    public synchronized boolean updateUser(AdminUser user) {
        AdminUser stored = users.get(user.username());
        if (stored == null || stored.version() != user.version() - 1) {
            return false;
        }
        users.put(user.username(), new AdminUser(user.username(), user.passwordHash(), user.role(), user.enabled(),
                stored.createdAt(), user.updatedAt(), user.version()));
        return true;
    }

    @Override
    public boolean deleteUser(String username) {
        return users.remove(username) != null;
    }

    @Override
    public List<AdminUser> listUsers() {
        return new ArrayList<>(users.values());
    }

    @Override
    public void appendAudit(AuditEntry entry) {
        audit.put(entry.id(), entry);
    }

    @Override
    public List<AuditEntry> listAudit(long beforeId, String target, int limit) {
        return audit.headMap(beforeId, false).descendingMap().values().stream()
                .filter(e -> target == null || target.equals(e.target()))
                .limit(limit).toList();
    }

    @Override
    public synchronized void addAppStats(List<AppStatPoint> deltas) {
        for (AppStatPoint d : deltas) {
            String k = d.appKey() + '\0' + String.format("%020d", d.bucketStart());
            stats.merge(k, d, (a, b) -> new AppStatPoint(a.appKey(), a.bucketStart(), a.submitted() + b.submitted(),
                    a.fired() + b.fired(), a.dead() + b.dead()));
        }
    }

    @Override
    public synchronized List<AppStatPoint> appStats(String appKey, long fromBucket, long toBucket) {
        return stats.values().stream().filter(p -> appKey == null || p.appKey().equals(appKey))
                .filter(p -> p.bucketStart() >= fromBucket && p.bucketStart() < toBucket).toList();
    }

    @Override
    public void saveNodeSnapshot(NodeSnapshot snapshot) {
        snapshots.add(snapshot);
    }

    @Override
    public List<NodeSnapshot> nodeSnapshots(long takenSince) {
        return snapshots.stream().filter(s -> s.takenAt() >= takenSince)
                .sorted(java.util.Comparator.comparingLong(NodeSnapshot::takenAt)).toList();
    }

    @Override
    public int purgeNodeSnapshots(long takenBefore) {
        List<NodeSnapshot> old = snapshots.stream().filter(s -> s.takenAt() < takenBefore).toList();
        snapshots.removeAll(old);
        return old.size();
    }

    private final ConcurrentSkipListMap<String, Setting> settings = new ConcurrentSkipListMap<>();

    @Override
    public Optional<Setting> findSetting(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    @Override
    public void putSetting(Setting setting) {
        settings.put(setting.name(), setting);
    }

    @Override
    public boolean deleteSetting(String name) {
        return settings.remove(name) != null;
    }

    @Override
    public List<Setting> settings(String prefix) {
        return settings.tailMap(prefix).values().stream().takeWhile(s -> s.name().startsWith(prefix))
                .limit(MAX_SETTINGS).toList();
    }
}
