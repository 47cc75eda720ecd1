package io.hourglass.store.mysql;

import io.hourglass.core.model.DueEntry;
import io.hourglass.core.model.PendingCount;
import org.apache.ibatis.annotations.Param;

import java.util.List;

/**
 * SQL of {@code delay_message}, in {@code MessageMapper.xml} beside this interface (MyBatis loads it by name when the
 * mapper is registered). One text for MySQL, MariaDB and H2 in MODE=MySQL. Lists passed here are already sorted,
 * free of duplicates and no longer than {@link MysqlStoreProperties#batchSize()}: the store chunks them.
 */
interface MessageMapper {

    /** One row; used through a BATCH-executor session (see MybatisMessageStore#insert). */
    int insertOne(MessageRow row);

    MessageRow selectById(@Param("id") long id);

    List<MessageRow> selectByIdemKeys(@Param("appKey") String appKey, @Param("keys") List<String> keys);

    /** Keyset page; {@code lo = max(from, afterFireAt)} so that the index range starts at the cursor. */
    List<DueEntry> scanScheduled(@Param("slot") int slot, @Param("lo") long lo, @Param("to") long to,
                                 @Param("afterFireAt") long afterFireAt, @Param("afterId") long afterId,
                                 @Param("limit") int limit);

    int claim(@Param("ids") List<Long> ids, @Param("now") long now, @Param("token") long token);

    List<MessageRow> selectClaimed(@Param("ids") List<Long> ids, @Param("token") long token, @Param("now") long now);

    int markDelivered(@Param("ids") List<Long> ids, @Param("token") long token, @Param("now") long now);

    int rearm(@Param("rows") List<TimeRow> rows, @Param("token") long token, @Param("now") long now);

    int retryLater(@Param("rows") List<TimeRow> rows, @Param("token") long token, @Param("now") long now);

    int postpone(@Param("rows") List<TimeRow> rows, @Param("token") long token, @Param("now") long now);

    int markDead(@Param("ids") List<Long> ids, @Param("token") long token, @Param("error") String error,
                 @Param("now") long now);

    int markExpired(@Param("ids") List<Long> ids, @Param("token") long token, @Param("error") String error,
                    @Param("now") long now);

    int cancel(@Param("id") long id, @Param("now") long now);

    int reschedule(@Param("id") long id, @Param("deliverAt") long deliverAt,
                   @Param("expectedVersion") long expectedVersion, @Param("now") long now);

    int redrive(@Param("id") long id, @Param("deliverAt") long deliverAt, @Param("now") long now);

    List<Long> lockStuck(@Param("slot") int slot, @Param("claimedBefore") long claimedBefore,
                         @Param("limit") int limit);

    int releaseStuck(@Param("ids") List<Long> ids, @Param("claimedBefore") long claimedBefore,
                     @Param("now") long now);

    /** One DELETE of at most {@code limit} finished rows of the slot; the row count deleted. */
    int purgeFinished(@Param("slot") int slot, @Param("updatedBefore") long updatedBefore, @Param("limit") int limit);

    /** Deletes the row if it is DEAD; the row count deleted (0 or 1). */
    int purgeDead(@Param("id") long id);

    List<StateCount> countByState();

    long countScheduled(@Param("slot") int slot);

    long countScheduledOfApp(@Param("appKey") String appKey);

    /** SCHEDULED messages by (app, topic) and horizon: deliver_at <= m, <= h, <= d, later. */
    List<PendingCount> pendingCounts(@Param("m") long minute, @Param("h") long hour, @Param("d") long day);

    /**
     * One page of the admin's search, {@code limit} rows at most (the store asks for one more than the page to tell
     * whether another follows). {@code lo}/{@code hi} bound deliver_at (null: open); with a cursor, {@code lo} is
     * already at least {@code afterDue}, so that the keyset condition may be written without row values.
     */
    List<MessageRow> search(@Param("state") String state, @Param("appKey") String appKey,
                            @Param("topic") String topic, @Param("key") String key, @Param("lo") Long lo,
                            @Param("hi") Long hi, @Param("afterDue") Long afterDue, @Param("afterId") Long afterId,
                            @Param("limit") int limit);

    /** Per-row values of rearm / retryLater. */
    final class TimeRow {
        long id;
        long at;
        String error;

        TimeRow(long id, long at, String error) {
            this.id = id;
            this.at = at;
            this.error = error;
        }
    }

    /** One line of {@code GROUP BY state}. */
    final class StateCount {
        String state;
        long n;
    }
}
