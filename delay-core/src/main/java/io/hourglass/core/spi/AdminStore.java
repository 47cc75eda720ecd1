package io.hourglass.core.spi;

import io.hourglass.core.model.AdminUser;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.AuditEntry;
import io.hourglass.core.model.NodeSnapshot;
import io.hourglass.core.model.Setting;

import java.util.List;
import java.util.Optional;

/**
 * The admin side's own records: admin users and the audit log. Thread-safe. Every store implements it beside
 * {@link AppStore} and passes the admin part of the store contract.
 */
public interface AdminStore {

    Optional<AdminUser> findUser(String username);

    /** @return false when the username exists (nothing changed) */
    boolean createUser(AdminUser user);

    /** Replaces the user when the stored version is {@code user.version() - 1}. @return false otherwise */
    boolean updateUser(AdminUser user);

    /** @return false when there was no such user */
    boolean deleteUser(String username);

    /** Every admin user, by username (admin users are few). */
    List<AdminUser> listUsers();

    /** Appends one entry (ids are made by the caller, unique and increasing). */
    void appendAudit(AuditEntry entry);

    /**
     * The audit log, newest first: entries with an id below {@code beforeId} ({@link Long#MAX_VALUE} for the newest
     * page), optionally only those of one target.
     */
    List<AuditEntry> listAudit(long beforeId, String target, int limit);

    /**
     * Adds deltas to the per-app 10-minute buckets (every server adds its own; the store sums them). Points of the
     * same app and bucket in one call are summed too.
     */
    void addAppStats(List<AppStatPoint> deltas);

    /**
     * The summed points of one app ({@code appKey}) or of every app ({@code null}), with
     * {@code fromBucket <= bucketStart < toBucket}, ordered by app then bucket. Buckets with no point are absent.
     */
    List<AppStatPoint> appStats(String appKey, long fromBucket, long toBucket);

    /** Records one snapshot of a server (kept as history; see {@link #purgeNodeSnapshots}). */
    void saveNodeSnapshot(NodeSnapshot snapshot);

    /** Every snapshot taken at or after {@code takenSince}, of every server, ordered by takenAt. */
    List<NodeSnapshot> nodeSnapshots(long takenSince);

    /** Deletes snapshots taken before {@code takenBefore}. @return how many */
    int purgeNodeSnapshots(long takenBefore);

    /** The setting of this name, or empty. */
    Optional<Setting> findSetting(String name);

    /** Creates or replaces the setting of its name. */
    void putSetting(Setting setting);

    /** Deletes the setting of this name; false when there was none. */
    boolean deleteSetting(String name);

    /**
     * The settings whose names start with {@code prefix}, by name; at most {@value #MAX_SETTINGS} (the servers read
     * them all every few seconds, so there are never many).
     */
    List<Setting> settings(String prefix);

    /** The most settings {@link #settings} answers. */
    int MAX_SETTINGS = 10_000;
}
