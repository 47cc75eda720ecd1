package io.hourglass.core.engine;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.error.AuthenticationException;
import io.hourglass.core.error.ForbiddenTopicException;
import io.hourglass.core.model.App;
import io.hourglass.core.spi.AppStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates apps and checks their topics, with a short-lived cache in front of the {@link AppStore}.
 *
 * <p>Secrets are stored as a salted SHA-256. App secrets are long random tokens, not passwords, so a fast hash is
 * the right tool (as for API tokens elsewhere): a slow KDF would cost milliseconds on every request.
 * Comparison is constant-time.
 */
public final class AppDirectory {

    private static final long CACHE_MILLIS = 5_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AppStore store;
    private final DelayClock clock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public AppDirectory(AppStore store, DelayClock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Verifies the credentials. @throws AuthenticationException when missing, unknown, disabled or wrong */
    public App authenticate(String appKey, String secret) {
        if (appKey == null || appKey.isBlank() || secret == null || secret.isEmpty()) {
            throw new AuthenticationException("Missing X-App-Key or X-App-Secret header");
        }
        Cached entry = lookup(appKey);
        if (entry.app == null || !entry.app.enabled() || !matches(entry.app, secret)) {
            throw new AuthenticationException("Invalid app key or secret");
        }
        return entry.app;
    }

    /** @throws ForbiddenTopicException when the topic is not registered for the app */
    public void checkTopic(String appKey, String topic) {
        if (!lookup(appKey).topics.contains(topic)) {
            throw new ForbiddenTopicException(appKey, topic);
        }
    }

    /**
     * Makes sure an app exists with this secret and these topics (the bootstrap app of standalone mode).
     * An existing app whose stored hash does not match the configured secret gets the new secret.
     */
    public void ensureApp(String appKey, String secret, Set<String> topics) {
        long now = clock.now();
        Optional<App> existing = store.findApp(appKey);
        if (existing.isEmpty() || !matches(existing.get(), secret) || !existing.get().enabled()) {
            String salt = newSalt();
            store.saveApp(new App(appKey, hash(salt, secret), salt, true,
                    existing.map(App::createdAt).orElse(now)));
        }
        for (String topic : topics) {
            store.addTopic(appKey, topic, now);
        }
        cache.remove(appKey);
    }

    public static String newSalt() {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return HexFormat.of().formatHex(salt);
    }

    public static String hash(String salt, String secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(HexFormat.of().parseHex(salt));
            return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static boolean matches(App app, String secret) {
        byte[] expected = HexFormat.of().parseHex(app.secretHash());
        byte[] actual = HexFormat.of().parseHex(hash(app.salt(), secret));
        return MessageDigest.isEqual(expected, actual);
    }

    private Cached lookup(String appKey) {
        long now = clock.now();
        Cached cached = cache.get(appKey);
        if (cached == null || now - cached.loadedAt > CACHE_MILLIS) {
            App app = store.findApp(appKey).orElse(null);
            Set<String> topics = app == null ? Set.of() : Set.copyOf(store.topicsOf(appKey));
            cached = new Cached(app, topics, now);
            cache.put(appKey, cached);
        }
        return cached;
    }

    private record Cached(App app, Set<String> topics, long loadedAt) {
    }
}
