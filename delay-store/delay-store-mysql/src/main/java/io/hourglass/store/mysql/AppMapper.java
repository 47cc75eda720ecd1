package io.hourglass.store.mysql;

import org.apache.ibatis.annotations.Param;

import java.util.List;

/** SQL of {@code delay_message_app} and {@code delay_message_topic}, in {@code AppMapper.xml} beside this interface. */
interface AppMapper {

    AppRow selectApp(@Param("appKey") String appKey);

    /** Plain INSERT: a duplicate key fails (the store turns it into {@code false}). */
    int insertApp(@Param("app") AppRow app);

    /** Replaces every column but the key and created_at when the stored version is {@code app.version - 1}. */
    int updateApp(@Param("app") AppRow app);

    /** Keyset page in key order; {@code after} null for the first page. */
    List<AppRow> selectApps(@Param("after") String after, @Param("limit") int limit);

    List<String> selectTopics(@Param("appKey") String appKey);

    int insertTopicIfAbsent(@Param("appKey") String appKey, @Param("topic") String topic, @Param("now") long now);

    int deleteTopic(@Param("appKey") String appKey, @Param("topic") String topic);

    /** Every (topic, app) pair, by topic then app. */
    List<Grant> selectGrants();

    /** One line of {@link #selectGrants()}. */
    final class Grant {
        String topic;
        String appKey;
    }
}
