package io.hourglass.store.mysql;

import io.hourglass.core.model.AdminUser;
import io.hourglass.core.model.AppStatPoint;
import io.hourglass.core.model.AuditEntry;
import io.hourglass.core.model.NodeSnapshot;
import org.apache.ibatis.annotations.Param;

import java.util.List;

/** SQL of {@code delay_admin_user} and {@code delay_admin_audit}, in {@code AdminMapper.xml} beside this interface. */
interface AdminMapper {

    AdminUser selectUser(@Param("username") String username);

    /** Plain INSERT: a duplicate key fails (the store turns it into {@code false}). */
    int insertUser(@Param("user") AdminUser user);

    /** Replaces the user (all but username and created_at) when the stored version is {@code user.version - 1}. */
    int updateUser(@Param("user") AdminUser user);

    int deleteUser(@Param("username") String username);

    List<AdminUser> selectUsers();

    int insertAudit(@Param("e") AuditEntry entry);

    /** Newest first: ids below {@code beforeId}, of {@code target} when not null. */
    List<AuditEntry> selectAudit(@Param("beforeId") long beforeId, @Param("target") String target,
                                 @Param("limit") int limit);

    /** Adds one point's counts to its row (made at 0 when absent). */
    int addAppStat(@Param("p") AppStatPoint point);

    List<AppStatPoint> selectAppStats(@Param("appKey") String appKey, @Param("from") long fromBucket,
                                      @Param("to") long toBucket);

    /** One snapshot; a second one of the same server at the same ms replaces the first. */
    int upsertNodeSnapshot(@Param("s") NodeSnapshot snapshot);

    List<NodeSnapshot> selectNodeSnapshots(@Param("since") long takenSince);

    int deleteNodeSnapshots(@Param("before") long takenBefore);

    io.hourglass.core.model.Setting selectSetting(@Param("name") String name);

    int upsertSetting(@Param("s") io.hourglass.core.model.Setting setting);

    int deleteSetting(@Param("name") String name);

    List<io.hourglass.core.model.Setting> selectSettings(@Param("prefix") String prefix, @Param("limit") int limit);
}
