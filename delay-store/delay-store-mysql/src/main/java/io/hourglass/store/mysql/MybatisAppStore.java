package io.hourglass.store.mysql;

import io.hourglass.core.model.App;
import io.hourglass.core.spi.AppStore;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** {@link AppStore} on MyBatis: tables {@code delay_message_app} and {@code delay_message_topic}. */
final class MybatisAppStore implements AppStore {

    private final AppMapper mapper;

    MybatisAppStore(AppMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public Optional<App> findApp(String appKey) {
        return call("findApp", () -> Optional.ofNullable(mapper.selectApp(appKey)));
    }

    @Override
    public void saveApp(App app) {
        call("saveApp", () -> mapper.upsertApp(app));
    }

    @Override
    public Set<String> topicsOf(String appKey) {
        return call("topicsOf", () -> Set.copyOf(mapper.selectTopics(appKey)));
    }

    @Override
    public void addTopic(String appKey, String topic, long now) {
        call("addTopic", () -> mapper.insertTopicIfAbsent(appKey, topic, now));
    }

    private static <T> T call(String action, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(action, e);
        }
    }
}
