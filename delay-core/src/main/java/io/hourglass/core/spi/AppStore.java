package io.hourglass.core.spi;

import io.hourglass.core.model.App;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applications and the topics each may use. Thread-safe. Every store implements it and passes the app part of the
 * store contract ({@code AppStoreContract}).
 *
 * <p>Changes are conditional on the app's {@link App#version()}, so two admins (or two servers) changing one app at
 * once never silently overwrite each other: the loser gets {@code false} and reads again.
 */
public interface AppStore {

    Optional<App> findApp(String appKey);

    /** Inserts a new app as given (its version as given, normally 0). @return false when the key exists (nothing changed) */
    boolean createApp(App app);

    /**
     * Replaces the stored app with {@code app} when the stored version is {@code app.version() - 1} (the caller
     * passes {@code current.with...().touched(now)}). {@code appKey} and {@code createdAt} never change.
     *
     * @return false when the app is missing or its version moved (nothing changed)
     */
    boolean updateApp(App app);

    /** Apps in key order after {@code afterAppKey} (exclusive; {@code null} or empty for the first page). */
    List<App> listApps(String afterAppKey, int limit);

    /** Topics registered for the app (empty when none or unknown app). */
    Set<String> topicsOf(String appKey);

    /** Registers a topic for an app; no effect if already registered. */
    void addTopic(String appKey, String topic, long now);

    /** Withdraws a topic from an app. @return false when it was not registered */
    boolean removeTopic(String appKey, String topic);

    /** Every topic that some app may use, with those apps, sorted by topic. */
    Map<String, Set<String>> topicGrants();
}
