package io.hourglass.message.http;

import java.util.Optional;

/**
 * The secret each app's callbacks are signed with ({@code X-Hourglass-Signature}, see {@link CallbackSignature}).
 * Today backed by properties ({@link PropertiesSigningSecrets}).
 *
 * <p>Called on the engine's firing threads for every message: thread-safe, answers from memory.
 */
@FunctionalInterface
public interface SigningSecrets {

    /** The signing secret of {@code appKey}, or empty when the app has none (its callbacks are then not sent). */
    Optional<byte[]> secretFor(String appKey);
}
