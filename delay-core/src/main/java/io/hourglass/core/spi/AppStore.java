package io.hourglass.core.spi;

import io.hourglass.core.model.App;

import java.util.Optional;
import java.util.Set;

/** Applications and the topics each may use. Thread-safe. */
public interface AppStore {

    Optional<App> findApp(String appKey);

    /** Inserts the app, or replaces its secret hash and flag when it exists. */
    void saveApp(App app);

    /** Topics registered for the app (empty when none or unknown app). */
    Set<String> topicsOf(String appKey);

    /** Registers a topic for an app; no effect if already registered. */
    void addTopic(String appKey, String topic, long now);
}
