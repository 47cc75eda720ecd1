package io.hourglass.store.mysql;

import io.hourglass.core.model.App;
import org.apache.ibatis.annotations.Param;

import java.util.List;

/** SQL of {@code delay_message_app} and {@code delay_message_topic}, in {@code AppMapper.xml} beside this interface. */
interface AppMapper {

    App selectApp(@Param("appKey") String appKey);

    int upsertApp(@Param("app") App app);

    List<String> selectTopics(@Param("appKey") String appKey);

    int insertTopicIfAbsent(@Param("appKey") String appKey, @Param("topic") String topic, @Param("now") long now);
}
