package io.hourglass.admin;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.model.App;
import io.hourglass.core.model.AppQuotas;
import io.hourglass.core.model.MessageState;
import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.spi.MessageStore.MessageQuery;
import io.hourglass.core.engine.DeadLetters;
import io.hourglass.core.spi.TopicProvisioner;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Apps, their secrets, topics and quotas, changed at run time. Every change is conditional on the app's version
 * (retried a few times against concurrent changes), written to the audit log, and made visible at once on this
 * server ({@link AppDirectory#invalidate}) and announced to the others through the {@link AppChangeBus} (Redis or
 * the coordinator); a lost announcement costs at most the cache's time-to-live ({@code delay.apps.cache-ttl}, 1 s).
 */
public final class AppAdminService {

    /** App keys: what fits an HTTP header without quoting, and the stores' 64-character column. */
    static final Pattern APP_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Kafka's legal topic names (249 characters of [a-zA-Z0-9._-]); "." and ".." are not topics. */
    static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final int UPDATE_TRIES = 5;

    /** A created app and its secret, shown this once. */
    public record Created(AppView app, String secret) {
    }

    /** A rotated secret, shown this once, and until when the previous one still works. */
    public record Rotated(AppView app, String secret, Long previousSecretValidUntil) {
    }

    /** Optional changes; null fields stay as they are. */
    public record Patch(String name, String owner, String description, Boolean enabled, AppView.Quotas quotas) {
    }

    private final AppStore store;
    private final AppDirectory directory;
    private final AuditLog audit;
    private final DelayClock clock;
    private final TopicProvisioner topics;
    private final AdminProperties properties;
    private final AdminJobs jobs;
    private final MessageAdminService messages;
    private final AppChangeBus changes;
    private final DeadLetters deadLetters;

    /**
     * @param topics  creates allowed topics at the target, or null
     * @param changes announces changes to the other servers, or null (standalone)
     */
    public AppAdminService(AppStore store, AppDirectory directory, AuditLog audit, DelayClock clock,
                           TopicProvisioner topics, AdminProperties properties, AdminJobs jobs,
                           MessageAdminService messages, AppChangeBus changes) {
        this(store, directory, audit, clock, topics, properties, jobs, messages, changes, DeadLetters.NONE);
    }

    /**
     * @param deadLetters where the engine copies messages that go DEAD: allowing a topic also creates its
     *                    dead-letter topic (when it has one) at the target
     */
    public AppAdminService(AppStore store, AppDirectory directory, AuditLog audit, DelayClock clock,
                           TopicProvisioner topics, AdminProperties properties, AdminJobs jobs,
                           MessageAdminService messages, AppChangeBus changes, DeadLetters deadLetters) {
        this.deadLetters = java.util.Objects.requireNonNull(deadLetters, "deadLetters");
        this.changes = changes;
        this.store = store;
        this.directory = directory;
        this.audit = audit;
        this.clock = clock;
        this.topics = topics;
        this.properties = properties;
        this.jobs = jobs;
        this.messages = messages;
    }

    public Created create(String actor, String appKey, String name, String owner, String description,
                          AppView.Quotas quotas) {
        if (appKey == null || !APP_KEY.matcher(appKey).matches()) {
            throw AdminException.invalid("appKey", "1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit");
        }
        checkProfile(name, owner, description);
        String secret = AppDirectory.newSecret();
        long now = clock.now();
        App app = App.create(appKey, AppDirectory.hashNew(secret), now).withProfile(name, owner, description)
                .withQuotas(toQuotas(quotas));
        if (!store.createApp(app)) {
            throw AdminException.conflict("App '" + appKey + "' already exists");
        }
        changed(appKey);
        AppView view = view(app);
        audit.record(actor, "app.create", appKey, null, view);
        return new Created(view, secret);
    }

    public List<AppView> list(String after, int limit) {
        return store.listApps(after, limit).stream().map(this::view).toList();
    }

    public AppView get(String appKey) {
        return view(find(appKey));
    }

    public AppView update(String actor, String appKey, Patch patch) {
        checkProfile(patch.name(), patch.owner(), patch.description());
        AppQuotas quotas = patch.quotas() == null ? null : toQuotas(patch.quotas());
        return change(actor, "app.update", appKey, app -> {
            App next = app.withProfile(patch.name() == null ? app.name() : patch.name(),
                    patch.owner() == null ? app.owner() : patch.owner(),
                    patch.description() == null ? app.description() : patch.description());
            if (patch.enabled() != null) {
                next = next.withEnabled(patch.enabled());
            }
            return quotas == null ? next : next.withQuotas(quotas);
        });
    }

    /** Disables or enables an app; disabling with {@code cancelScheduled} also cancels its SCHEDULED messages in a job. */
    public Map<String, Object> setEnabled(String actor, String appKey, boolean enabled, boolean cancelScheduled) {
        AppView view = change(actor, enabled ? "app.enable" : "app.disable", appKey, app -> app.withEnabled(enabled));
        if (enabled || !cancelScheduled) {
            return Map.of("app", view);
        }
        MessageQuery query = new MessageQuery(appKey, null, null, MessageState.SCHEDULED, null, null);
        AdminJobs.View job = messages.bulkCancel(actor, query).view();
        return Map.of("app", view, "job", job);
    }

    public Rotated rotateSecret(String actor, String appKey, Duration grace) {
        Duration g = grace == null ? properties.secretGracePeriod() : grace;
        if (g.isNegative() || g.compareTo(Duration.ofDays(30)) > 0) {
            throw AdminException.invalid("graceSeconds", "between 0 and 30 days");
        }
        String secret = AppDirectory.newSecret();
        long now = clock.now();
        AppView view = change(actor, "app.rotate-secret", appKey,
                app -> app.withRotatedSecret(AppDirectory.hashNew(secret), now + g.toMillis()));
        return new Rotated(view, secret, view.previousSecretValidUntil());
    }

    public AppView allowTopic(String actor, String appKey, String topic) {
        checkTopic(topic);
        App app = find(appKey);
        AppView before = view(app);
        try {
            if (topics != null) {
                topics.ensureTopic(topic, properties.topics().partitions(),
                        (short) properties.topics().replicationFactor());
            }
        } catch (RuntimeException e) {
            throw new AdminException(503, "target-unavailable", "Could not create topic '" + topic + "': "
                    + e.getMessage());
        }
        String deadLetterTopic = deadLetters.topicOf(topic);
        try {
            if (topics != null && deadLetterTopic != null) {
                // before the right is recorded: a message of the topic may go DEAD as soon as it can be submitted
                topics.ensureTopic(deadLetterTopic, properties.topics().partitions(),
                        (short) properties.topics().replicationFactor());
            }
        } catch (RuntimeException e) {
            throw new AdminException(503, "target-unavailable", "Could not create the dead-letter topic '"
                    + deadLetterTopic + "' of '" + topic + "': " + e.getMessage());
        }
        store.addTopic(appKey, topic, clock.now());
        changed(appKey);
        AppView after = get(appKey);
        if (!before.topics().contains(topic)) {
            audit.record(actor, "topic.allow", appKey, before, after);
        }
        return after;
    }

    public AppView revokeTopic(String actor, String appKey, String topic) {
        App app = find(appKey);
        AppView before = view(app);
        if (store.removeTopic(appKey, topic)) {
            changed(appKey);
            AppView after = get(appKey);
            audit.record(actor, "topic.revoke", appKey, before, after);
            return after;
        }
        throw AdminException.notFound("Topic of app " + appKey, topic);
    }

    /** Every topic some app may use, with those apps. */
    public Map<String, Set<String>> topicGrants() {
        return store.topicGrants();
    }

    private AppView change(String actor, String action, String appKey, UnaryOperator<App> edit) {
        for (int attempt = 0; attempt < UPDATE_TRIES; attempt++) {
            App current = find(appKey);
            App next = edit.apply(current).touched(clock.now());
            if (store.updateApp(next)) {
                changed(appKey);
                AppView before = view(current);
                AppView after = view(next);
                audit.record(actor, action, appKey, before, after);
                return after;
            }
        }
        throw AdminException.conflict("App '" + appKey + "' kept changing concurrently; try again");
    }

    /** Drops the cached copy here, and on every other server through the bus. */
    private void changed(String appKey) {
        directory.invalidate(appKey);
        if (changes != null) {
            changes.publish(appKey);
        }
    }

    private App find(String appKey) {
        if (appKey == null || appKey.length() > AppDirectory.MAX_APP_KEY_LENGTH) {
            throw AdminException.notFound("App", String.valueOf(appKey));
        }
        return store.findApp(appKey).orElseThrow(() -> AdminException.notFound("App", appKey));
    }

    private AppView view(App app) {
        return AppView.of(app, store.topicsOf(app.appKey()), clock.now());
    }

    private static AppQuotas toQuotas(AppView.Quotas q) {
        if (q == null) {
            return AppQuotas.NONE;
        }
        if (q.submitsPerSecond() < 0 || q.maxPending() < 0 || q.maxPayloadBytes() < 0 || q.minRepeatIntervalMs() < 0) {
            throw AdminException.invalid("quotas", "every quota is >= 0 (0 = no limit of the app's own)");
        }
        return q.toModel();
    }

    private static void checkProfile(String name, String owner, String description) {
        if (name != null && name.length() > 128) {
            throw AdminException.invalid("name", "at most 128 characters");
        }
        if (owner != null && owner.length() > 128) {
            throw AdminException.invalid("owner", "at most 128 characters");
        }
        if (description != null && description.length() > 1024) {
            throw AdminException.invalid("description", "at most 1024 characters");
        }
    }

    static void checkTopic(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw AdminException.invalid("topic", "1 to 249 characters of A-Z a-z 0-9 . _ - (Kafka's rule)");
        }
    }
}
