package io.hourglass.message.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hourglass.core.concurrent.NamedThreads;
import io.hourglass.core.model.Setting;
import io.hourglass.core.spi.AdminStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Callback targets, allowed hosts and signing secrets set through the admin API, as the servers read them: kept in
 * the {@link AdminStore} as settings ({@value #TARGET}{@code <topic>}, {@value #HOSTS}{@code <appKey>},
 * {@value #SECRET}{@code <appKey>}) and held here in memory, read again every {@code refresh} (and at once by
 * {@link #refresh()} on the server that made a change). The lookups answer from memory, as the firing threads need.
 *
 * <p>A stored entry wins over the properties of the same topic or app ({@code delay.message.http.*}), which remain
 * the defaults. An entry that cannot be read (a newer format, a hand edit) is skipped with a warning; a store that
 * cannot be reached leaves the last snapshot in place. Without a store (no admin API), there is nothing stored.
 *
 * <p>The format of each value is this class's: {@link #encodeTarget}, {@link #encodeHosts}; a secret is its text.
 */
public final class StoredCallbackSettings implements AutoCloseable {

    public static final String PREFIX = "callback.";
    public static final String TARGET = PREFIX + "target.";
    public static final String HOSTS = PREFIX + "hosts.";
    public static final String SECRET = PREFIX + "secret.";

    private static final Logger log = LoggerFactory.getLogger(StoredCallbackSettings.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * A stored callback target: {@link CallbackTarget} as the admin API takes it.
     *
     * @param appKey the app whose allowed hosts admitted the URL when it was set
     */
    public record StoredTarget(String appKey, String url, String method, Map<String, String> headers, long timeoutMs,
                               boolean allowPrivateNetwork) {

        public StoredTarget {
            headers = headers == null ? Map.of() : new LinkedHashMap<>(headers);
            method = method == null ? "POST" : method.trim().toUpperCase(Locale.ROOT);
        }

        /** The target the emitter uses. @throws IllegalArgumentException when its shape is wrong */
        public CallbackTarget toCallbackTarget() {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("url is required");
            }
            CallbackTarget.Method verb;
            try {
                verb = CallbackTarget.Method.valueOf(method);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("method must be POST or PUT, was " + method);
            }
            return new CallbackTarget(URI.create(url.trim()), verb, headers, Duration.ofMillis(timeoutMs),
                    allowPrivateNetwork);
        }
    }

    private record Snapshot(Map<String, CallbackTarget> targets, Map<String, Set<String>> hosts,
                            Map<String, byte[]> secrets) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of());
    }

    /** How long a lookup waits before it tries the first read again, after a failed one. */
    private static final long FIRST_READ_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AdminStore store;
    private final ScheduledExecutorService refresher;
    /** Null until the first read succeeded: until then nobody knows where a topic delivers. */
    private volatile Snapshot snapshot;
    private long firstReadRetryAt = System.nanoTime();
    private RuntimeException firstReadFailure;

    /**
     * Reads nothing yet (the store's schema may not be migrated while the application starts): the first lookup
     * reads, and a background thread every {@code refresh}.
     *
     * @param store   where the admin API keeps the settings, or null (nothing stored)
     * @param refresh how often to read them again; null or zero: only on {@link #refresh()}
     */
    public StoredCallbackSettings(AdminStore store, Duration refresh) {
        this.store = store;
        this.snapshot = store == null ? Snapshot.EMPTY : null;
        if (store != null && refresh != null && !refresh.isZero() && !refresh.isNegative()) {
            refresher = Executors.newSingleThreadScheduledExecutor(NamedThreads.single("hourglass-callback-settings"));
            refresher.scheduleWithFixedDelay(this::refreshQuietly, refresh.toMillis(), refresh.toMillis(),
                    TimeUnit.MILLISECONDS);
        } else {
            refresher = null;
        }
    }

    /**
     * The settings as last read; the first call reads them. Before a first read succeeded a lookup cannot tell where
     * a topic delivers (a callback or Kafka), so it refuses: the engine retries the message without spending an
     * attempt (a lookup that fails is "not attempted"), rather than send it to the wrong place.
     */
    private Snapshot current() {
        Snapshot s = snapshot;
        if (s != null) {
            return s;
        }
        synchronized (this) {
            if (snapshot == null && System.nanoTime() - firstReadRetryAt >= 0) {
                try {
                    refresh();
                } catch (RuntimeException e) {
                    firstReadFailure = e;
                    firstReadRetryAt = System.nanoTime() + FIRST_READ_RETRY_NANOS;
                }
            }
            if (snapshot == null) {
                throw new IllegalStateException("the callback settings could not be read yet: " + firstReadFailure,
                        firstReadFailure);
            }
            return snapshot;
        }
    }

    /** Reads the settings again. @throws RuntimeException when the store fails (the last snapshot stays) */
    public void refresh() {
        if (store == null) {
            return;
        }
        Map<String, CallbackTarget> targets = new HashMap<>();
        Map<String, Set<String>> hosts = new HashMap<>();
        Map<String, byte[]> secrets = new HashMap<>();
        for (Setting s : store.settings(PREFIX)) {
            try {
                if (s.name().startsWith(TARGET)) {
                    targets.put(s.name().substring(TARGET.length()), decodeTarget(s.value()).toCallbackTarget());
                } else if (s.name().startsWith(HOSTS)) {
                    hosts.put(s.name().substring(HOSTS.length()), decodeHosts(s.value()));
                } else if (s.name().startsWith(SECRET)) {
                    secrets.put(s.name().substring(SECRET.length()), s.value().getBytes(StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                log.warn("Skipping the stored setting {}: {}", s.name(), e.toString());
            }
        }
        snapshot = new Snapshot(Map.copyOf(targets), Map.copyOf(hosts), Map.copyOf(secrets));
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("Could not read the stored callback settings; keeping the last ones: {}", e.toString());
        }
    }

    /** The stored target of {@code topic}, if any. @throws IllegalStateException before a first read succeeded */
    public Optional<CallbackTarget> target(String topic) {
        return Optional.ofNullable(current().targets().get(topic));
    }

    /**
     * The stored allowed-host patterns of {@code appKey}, if any were set (an empty set is "none allowed").
     * @throws IllegalStateException before a first read succeeded
     */
    public Optional<Set<String>> hosts(String appKey) {
        return Optional.ofNullable(current().hosts().get(appKey));
    }

    /** A copy of the stored signing secret of {@code appKey}, if any. @throws IllegalStateException as above */
    public Optional<byte[]> secret(String appKey) {
        byte[] secret = current().secrets().get(appKey);
        return secret == null ? Optional.empty() : Optional.of(secret.clone());
    }

    public static String encodeTarget(StoredTarget target) {
        try {
            return JSON.writeValueAsString(target);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + target, e);
        }
    }

    public static StoredTarget decodeTarget(String json) {
        try {
            return JSON.readValue(json, StoredTarget.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a stored callback target: " + e.getOriginalMessage(), e);
        }
    }

    public static String encodeHosts(Set<String> patterns) {
        try {
            return JSON.writeValueAsString(List.copyOf(patterns));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + patterns, e);
        }
    }

    public static Set<String> decodeHosts(String json) {
        try {
            Set<String> patterns = new LinkedHashSet<>(List.of(JSON.readValue(json, String[].class)));
            patterns.forEach(AllowedHosts::checkPattern);
            return Set.copyOf(patterns);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a list of host patterns: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
