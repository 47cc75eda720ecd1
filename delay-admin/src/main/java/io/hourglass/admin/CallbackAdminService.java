package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.model.App;
import io.hourglass.core.model.Setting;
import io.hourglass.core.spi.AdminStore;
import io.hourglass.core.spi.AppStore;
import io.hourglass.message.http.AllowedHosts;
import io.hourglass.message.http.CallbackTarget;
import io.hourglass.message.http.CallbackTargetGuard;
import io.hourglass.message.http.SigningSecrets;
import io.hourglass.message.http.StoredCallbackSettings;
import io.hourglass.message.http.StoredCallbackSettings.StoredTarget;

import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Callback delivery set through the admin API: per app, the hosts its callbacks may go to and its signing secret;
 * per topic, the callback target (URL, method, fixed headers, timeout). Kept as settings in the {@link AdminStore}
 * ({@link StoredCallbackSettings} names and formats them), which every server reads every few seconds; this server
 * reads them again at once. Each change is audited (a secret never is).
 *
 * <p>A target is checked as the properties' targets are at start: the URL's shape, the app's allowed hosts (stored,
 * else from properties), and the addresses its host resolves to (unless {@code allowPrivateNetwork}); the app must
 * be allowed the topic and must have a signing secret. One topic has one target, owned by the app that set it.
 */
public final class CallbackAdminService {

    /** What an app's callbacks look like (the secret itself is never shown after it was made). */
    public record View(String appKey, List<String> allowedHosts, boolean signingSecretSet, Long signingSecretUpdatedAt,
                       Map<String, StoredTarget> targets) {
    }

    /** A new signing secret, shown this once. */
    public record NewSecret(String appKey, String signingSecret, long updatedAt) {
    }

    /** The longest target timeout (the ttr) allowed. */
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    static final long DEFAULT_TIMEOUT_MS = 10_000;
    private static final int SECRET_BYTES = 32;
    private static final int MAX_HOSTS = 100;
    private static final int MAX_HEADERS = 32;

    private final AppStore apps;
    private final AdminStore store;
    private final AuditLog audit;
    private final DelayClock clock;
    /** The server's callback settings, or null when callbacks are off here (delay.message.http.enabled). */
    private final StoredCallbackSettings settings;
    /** The effective allowed hosts (stored over properties), or null. */
    private final AllowedHosts allowedHosts;
    /** The effective signing secrets (stored over properties), or null. */
    private final SigningSecrets signingSecrets;
    private final Duration connectTimeout;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param settings       the server's callback settings, or null when callbacks are off on this server
     * @param allowedHosts   the effective allowed hosts (the admin's over the properties'), or null
     * @param signingSecrets the effective signing secrets (the admin's over the properties'), or null
     * @param connectTimeout {@code delay.message.http.connect-timeout}: every target's timeout must be longer
     */
    public CallbackAdminService(AppStore apps, AdminStore store, AuditLog audit, DelayClock clock,
                                StoredCallbackSettings settings, AllowedHosts allowedHosts,
                                SigningSecrets signingSecrets, Duration connectTimeout) {
        this.signingSecrets = signingSecrets;
        this.apps = apps;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.settings = settings;
        this.allowedHosts = allowedHosts;
        this.connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
    }

    public View get(String appKey) {
        find(appKey);
        return view(appKey);
    }

    /** Replaces the app's allowed host patterns (an empty list allows none). */
    public View setAllowedHosts(String actor, String appKey, List<String> hosts) {
        find(appKey);
        if (hosts == null) {
            throw AdminException.invalid("hosts", "required (an empty list allows no host)");
        }
        if (hosts.size() > MAX_HOSTS) {
            throw AdminException.invalid("hosts", "at most " + MAX_HOSTS + " patterns");
        }
        Set<String> patterns = new LinkedHashSet<>();
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i);
            try {
                AllowedHosts.checkPattern(h);
            } catch (IllegalArgumentException e) {
                throw AdminException.invalid("hosts[" + i + "]", e.getMessage());
            }
            patterns.add(h.trim().toLowerCase(java.util.Locale.ROOT));
        }
        View before = view(appKey);
        put(StoredCallbackSettings.HOSTS + appKey, StoredCallbackSettings.encodeHosts(patterns));
        View after = view(appKey);
        audit.record(actor, "callback.hosts", appKey, before.allowedHosts(), after.allowedHosts());
        return after;
    }

    /** Makes a new signing secret for the app (replacing any), and shows it this once. */
    public NewSecret newSigningSecret(String actor, String appKey) {
        find(appKey);
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        long now = clock.now();
        put(StoredCallbackSettings.SECRET + appKey, secret);
        audit.record(actor, "callback.signing-secret", appKey, null, Map.of("updatedAt", now)); // never the secret
        return new NewSecret(appKey, secret, now);
    }

    /** Sets the callback target of {@code topic}, which the app must be allowed. */
    public View setTarget(String actor, String appKey, String topic, StoredTarget body) {
        App app = find(appKey);
        if (settings == null) {
            throw AdminException.conflict("HTTP callbacks are off on this server: set delay.message.http.enabled=true"
                    + " (on every server)");
        }
        if (!apps.topicsOf(app.appKey()).contains(topic)) {
            throw AdminException.conflict("app '" + appKey + "' is not allowed topic '" + topic + "': allow it first");
        }
        if (body == null) {
            throw AdminException.invalid("url", "required");
        }
        long timeoutMs = body.timeoutMs() <= 0 ? DEFAULT_TIMEOUT_MS : body.timeoutMs();
        if (timeoutMs <= connectTimeout.toMillis() || timeoutMs > MAX_TIMEOUT.toMillis()) {
            throw AdminException.invalid("timeoutMs", "must be longer than delay.message.http.connect-timeout ("
                    + connectTimeout.toMillis() + " ms) and at most " + MAX_TIMEOUT.toMillis());
        }
        if (body.headers().size() > MAX_HEADERS) {
            throw AdminException.invalid("headers", "at most " + MAX_HEADERS);
        }
        StoredTarget stored = new StoredTarget(appKey, body.url() == null ? null : body.url().trim(), body.method(),
                body.headers(), timeoutMs, body.allowPrivateNetwork());
        CallbackTarget target;
        try {
            target = stored.toCallbackTarget();
        } catch (NullPointerException e) {
            throw AdminException.invalid("headers", "a header needs a value");
        } catch (IllegalArgumentException e) {
            String field = e.getMessage() != null && e.getMessage().startsWith("method") ? "method"
                    : e.getMessage() != null && e.getMessage().startsWith("callback header") ? "headers" : "url";
            throw AdminException.invalid(field, e.getMessage());
        }
        CallbackTargetGuard guard = new CallbackTargetGuard(allowedHosts != null ? allowedHosts
                : a -> settings.hosts(a).orElse(Set.of()));
        try {
            guard.checkHost(appKey, target);
            guard.checkAddresses(target);
        } catch (CallbackTargetGuard.TargetNotAllowedException e) {
            throw AdminException.invalid("url", e.getMessage());
        } catch (UnknownHostException e) {
            throw AdminException.invalid("url", "host " + target.host() + " does not resolve");
        }
        // a secret from the properties counts too (the effective lookup has both)
        if (secretOf(appKey).isEmpty() && (signingSecrets == null || signingSecrets.secretFor(appKey).isEmpty())) {
            throw AdminException.conflict("app '" + appKey + "' has no signing secret: POST .../callbacks/signing-secret"
                    + " first");
        }
        Optional<StoredTarget> existing = storedTarget(topic);
        if (existing.isPresent() && !existing.get().appKey().equals(appKey)) {
            throw AdminException.conflict("topic '" + topic + "' delivers to a target of app '"
                    + existing.get().appKey() + "': remove it there first");
        }
        put(StoredCallbackSettings.TARGET + topic, StoredCallbackSettings.encodeTarget(stored));
        audit.record(actor, "callback.target.set", appKey, existing.map(t -> Map.of(topic, t)).orElse(null),
                Map.of(topic, stored));
        return view(appKey);
    }

    /** Removes the target of {@code topic} (set by this app): its messages go to Kafka again. */
    public View removeTarget(String actor, String appKey, String topic) {
        find(appKey);
        Optional<StoredTarget> existing = storedTarget(topic);
        if (existing.isEmpty() || !existing.get().appKey().equals(appKey)) {
            throw AdminException.notFound("Callback target of topic", topic);
        }
        store.deleteSetting(StoredCallbackSettings.TARGET + topic);
        refresh();
        audit.record(actor, "callback.target.remove", appKey, Map.of(topic, existing.get()), null);
        return view(appKey);
    }

    private View view(String appKey) {
        List<String> hosts;
        try {
            hosts = store.findSetting(StoredCallbackSettings.HOSTS + appKey)
                    .map(s -> (List<String>) new ArrayList<>(new TreeSet<>(StoredCallbackSettings.decodeHosts(s.value()))))
                    .orElse(List.of());
        } catch (IllegalArgumentException e) {
            hosts = List.of(); // unreadable: the servers skip it too; setting the hosts again replaces it
        }
        Optional<Setting> secret = secretOf(appKey);
        Map<String, StoredTarget> targets = new LinkedHashMap<>();
        for (Setting s : store.settings(StoredCallbackSettings.TARGET)) {
            try {
                StoredTarget t = StoredCallbackSettings.decodeTarget(s.value());
                if (appKey.equals(t.appKey())) {
                    targets.put(s.name().substring(StoredCallbackSettings.TARGET.length()), t);
                }
            } catch (IllegalArgumentException e) {
                // unreadable: the servers skip it too
            }
        }
        return new View(appKey, hosts, secret.isPresent(), secret.map(Setting::updatedAt).orElse(null), targets);
    }

    private Optional<Setting> secretOf(String appKey) {
        return store.findSetting(StoredCallbackSettings.SECRET + appKey);
    }

    private Optional<StoredTarget> storedTarget(String topic) {
        return store.findSetting(StoredCallbackSettings.TARGET + topic).flatMap(s -> {
            try {
                return Optional.of(StoredCallbackSettings.decodeTarget(s.value()));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    private void put(String name, String value) {
        Setting setting;
        try {
            setting = new Setting(name, value, clock.now());
        } catch (IllegalArgumentException e) {
            throw AdminException.invalid(name.startsWith(StoredCallbackSettings.TARGET) ? "headers" : "hosts",
                    "too large to keep: " + e.getMessage());
        }
        store.putSetting(setting);
        refresh();
    }

    private void refresh() {
        if (settings != null) {
            try {
                settings.refresh();
            } catch (RuntimeException e) {
                // the scheduled refresh will pick it up
            }
        }
    }

    private App find(String appKey) {
        if (appKey == null || appKey.length() > AppDirectory.MAX_APP_KEY_LENGTH) {
            throw AdminException.notFound("App", String.valueOf(appKey));
        }
        return apps.findApp(appKey).orElseThrow(() -> AdminException.notFound("App", appKey));
    }
}
