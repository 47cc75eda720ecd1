package io.hourglass.core.spi;

import java.util.function.Consumer;

/**
 * Tells every server of a cluster that an app changed (created, disabled, rotated, re-quota'd, topics), so that
 * each drops its cached copy at once instead of waiting for the cache entry to expire.
 *
 * <p>Best effort: an announcement may be lost (a server reconnecting, a broker restart); the app cache's short
 * time-to-live ({@code delay.apps.cache-ttl}) bounds how long a lost one can matter. Implementations: in-process
 * (standalone, {@link #local()}), Redis {@code RTopic} (profile {@code redis}), and the coordinator (a key watched in
 * etcd or ZooKeeper) when there is no Redis.
 */
public interface AppChangeBus {

    /** The key a listener receives when every app may have changed (e.g. after a reconnect): drop them all. */
    String ALL = "*";

    /** Announces a change of {@code appKey} to every server, this one included. Never throws. */
    void publish(String appKey);

    /** Calls {@code listener} with the key of each announced change ({@link #ALL} for all), on any thread. */
    void subscribe(Consumer<String> listener);

    /** A bus within one process: what a standalone server needs. */
    static AppChangeBus local() {
        return new AppChangeBus() {
            private final java.util.List<Consumer<String>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

            @Override
            public void publish(String appKey) {
                listeners.forEach(l -> l.accept(appKey));
            }

            @Override
            public void subscribe(Consumer<String> listener) {
                listeners.add(listener);
            }
        };
    }
}
