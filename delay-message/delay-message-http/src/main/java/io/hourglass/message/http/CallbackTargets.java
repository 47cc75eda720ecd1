package io.hourglass.message.http;

import java.util.Optional;

/**
 * The callback target of each topic. Today backed by properties ({@link PropertiesCallbackTargets}); the admin API can
 * supply its own implementation as a bean.
 *
 * <p>Called on the engine's firing threads for every message: it must be thread-safe and answer from memory, never
 * block on I/O.
 */
@FunctionalInterface
public interface CallbackTargets {

    /** The target of {@code topic}, or empty when the topic has none. */
    Optional<CallbackTarget> targetFor(String topic);
}
