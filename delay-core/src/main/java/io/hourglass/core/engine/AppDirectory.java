package io.hourglass.core.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.error.AppDisabledException;
import io.hourglass.core.error.AuthenticationException;
import io.hourglass.core.error.ForbiddenTopicException;
import io.hourglass.core.model.App;
import io.hourglass.core.model.AppSecret;
import io.hourglass.core.spi.AppStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Authenticates apps and checks their topics, with a bounded, expiring cache in front of the {@link AppStore}.
 *
 * <p>The cache holds at most {@link Settings#maxEntries()} apps, each for at most {@link Settings#ttl()} (so a change
 * made on another server is honoured here within that time even when no invalidation reaches this one), and never an
 * unknown key: a caller sending random keys costs a store lookup each (throttled at the edge), never memory. Keys
 * longer than {@link #MAX_APP_KEY_LENGTH} are refused without any lookup. Changes made through this server, or
 * announced by another one, call {@link #invalidate(String)}.
 *
 * <p>Secrets are stored as a salted SHA-256 ({@link AppSecret}); comparison is constant-time. During a rotation the
 * previous secret is accepted until its grace period ends.
 */
public final class AppDirectory {

    /** The longest app key (the stores' column size); longer ones are refused before any lookup. */
    public static final int MAX_APP_KEY_LENGTH = 64;
    /** Random bytes in a generated secret. */
    public static final int SECRET_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param maxEntries apps held at most
     * @param ttl        how long a cached app is trusted
     */
    public record Settings(long maxEntries, Duration ttl) {
        public static final Settings DEFAULTS = new Settings(10_000, Duration.ofSeconds(1));

        public Settings {
            if (maxEntries < 1 || ttl.isNegative()) {
                throw new IllegalArgumentException("maxEntries >= 1 and ttl >= 0");
            }
        }
    }

    private final AppStore store;
    private final DelayClock clock;
    private final Cache<String, Cached> cache;

    public AppDirectory(AppStore store, DelayClock clock) {
        this(store, clock, Settings.DEFAULTS);
    }

    public AppDirectory(AppStore store, DelayClock clock, Settings settings) {
        this.store = store;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfterWrite(settings.ttl().toNanos(), TimeUnit.NANOSECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.now()))
                .executor(Runnable::run)
                .build();
    }

    /**
     * Verifies the credentials. A disabled app is authenticated (it may still read and cancel its messages); what it
     * may not do is checked by {@link #requireEnabled(App)}.
     *
     * @throws AuthenticationException when missing, too long, unknown or wrong
     */
    public App authenticate(String appKey, String secret) {
        if (appKey == null || appKey.isBlank() || secret == null || secret.isEmpty()) {
            throw new AuthenticationException("Missing X-App-Key or X-App-Secret header");
        }
        if (appKey.length() > MAX_APP_KEY_LENGTH || secret.length() > 1024) {
            throw new AuthenticationException("Invalid app key or secret");
        }
        Cached entry = lookup(appKey).orElseThrow(() -> new AuthenticationException("Invalid app key or secret"));
        if (!matches(entry.app, secret, clock.now())) {
            throw new AuthenticationException("Invalid app key or secret");
        }
        return entry.app;
    }

    /**
     * The app, when it is enabled (as this server last read it).
     *
     * @throws AppDisabledException when it is disabled or was deleted
     */
    public App requireEnabled(String appKey) {
        Optional<Cached> entry = lookup(appKey);
        if (entry.isEmpty() || !entry.get().app.enabled()) {
            throw new AppDisabledException(appKey);
        }
        return entry.get().app;
    }

    /**
     * Whether the app exists and is disabled (as this server last read it): its due messages are held, not emitted.
     * An unknown app is not disabled.
     */
    public boolean isDisabled(String appKey) {
        Optional<Cached> entry = lookup(appKey);
        return entry.isPresent() && !entry.get().app.enabled();
    }

    /** The app as this server currently sees it (cached), or empty when unknown. */
    public Optional<App> find(String appKey) {
        return lookup(appKey).map(c -> c.app);
    }

    /** @throws ForbiddenTopicException when the topic is not registered for the app */
    public void checkTopic(String appKey, String topic) {
        Optional<Cached> entry = lookup(appKey);
        if (entry.isEmpty() || !entry.get().topics.contains(topic)) {
            throw new ForbiddenTopicException(appKey, topic);
        }
    }

    /** Forgets what is cached of this app: the next request reads the store. */
    public void invalidate(String appKey) {
        cache.invalidate(appKey);
    }

    /** Forgets every cached app (a change announcement that was missed, a reconnect). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** Apps cached now (for the cache's gauge and tests). */
    public long cachedCount() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /**
     * Makes sure an app exists with this secret and these topics (the bootstrap app of standalone mode). An existing
     * app whose stored secrets (current, or previous within its grace) do not match the configured secret gets the
     * configured one; an app an operator disabled stays disabled (a restart never re-enables it).
     */
    public void ensureApp(String appKey, String secret, Set<String> topics) {
        long now = clock.now();
        Optional<App> existing = store.findApp(appKey);
        if (existing.isEmpty()) {
            store.createApp(App.create(appKey, hashNew(secret), now));
        } else if (!matches(existing.get(), secret, now)) {
            store.updateApp(existing.get().withOnlySecret(hashNew(secret)).touched(now));
        }
        for (String topic : topics) {
            store.addTopic(appKey, topic, now);
        }
        invalidate(appKey);
    }

    /** A new random secret: {@value #SECRET_BYTES} bytes, URL-safe Base64 without padding (43 characters). */
    public static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The stored form of a secret, with a new salt. */
    public static AppSecret hashNew(String secret) {
        String salt = newSalt();
        return new AppSecret(hash(salt, secret), salt);
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

    /** True when the secret is the app's current one, or its previous one still within the grace period. */
    public static boolean matches(App app, String secret, long now) {
        boolean current = matches(app.secret(), secret, now);
        AppSecret previous = app.previousSecret();
        boolean old = previous != null && matches(previous, secret, now);
        return current | old; // both computed: the time taken does not tell which one matched
    }

    private static boolean matches(AppSecret stored, String secret, long now) {
        byte[] expected = HexFormat.of().parseHex(stored.hash());
        byte[] actual = HexFormat.of().parseHex(hash(stored.salt(), secret));
        return MessageDigest.isEqual(expected, actual) && stored.validAt(now);
    }

    private Optional<Cached> lookup(String appKey) {
        if (appKey == null || appKey.length() > MAX_APP_KEY_LENGTH) {
            return Optional.empty();
        }
        Cached cached = cache.getIfPresent(appKey);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<App> app = store.findApp(appKey);
        if (app.isEmpty()) {
            return Optional.empty(); // unknown keys are never cached
        }
        Cached loaded = new Cached(app.get(), Set.copyOf(store.topicsOf(appKey)));
        cache.put(appKey, loaded);
        return Optional.of(loaded);
    }

    private record Cached(App app, Set<String> topics) {
    }
}
