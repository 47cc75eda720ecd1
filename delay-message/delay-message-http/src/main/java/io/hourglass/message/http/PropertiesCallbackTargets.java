package io.hourglass.message.http;

import io.hourglass.message.http.CallbackTargetGuard.TargetNotAllowedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link CallbackTargets} from {@code delay.message.http.targets.<topic>.*}, checked once when built: each target's
 * host must be among its app's allowed hosts and resolve to public addresses only (unless it allows private
 * networks), and its app must have a signing secret. A failure names the key, so a bad target stops the start.
 *
 * <p>A host that does not resolve at start is let through with a warning (DNS may be down while the server starts);
 * the same check runs again before every request. Immutable.
 */
public final class PropertiesCallbackTargets implements CallbackTargets {

    private static final Logger log = LoggerFactory.getLogger(PropertiesCallbackTargets.class);

    private final Map<String, CallbackTarget> targets;
    private final StoredCallbackSettings stored;

    /**
     * @throws IllegalStateException naming the key of the first target that is refused
     */
    public PropertiesCallbackTargets(HttpCallbackProperties properties, CallbackTargetGuard guard,
                                     SigningSecrets secrets) {
        this(properties, guard, secrets, null);
    }

    /**
     * @param stored the targets set through the admin API (checked when they were set, and by the guard before every
     *               request), which win over the properties of the same topic; or null
     * @throws IllegalStateException naming the key of the first target that is refused
     */
    public PropertiesCallbackTargets(HttpCallbackProperties properties, CallbackTargetGuard guard,
                                     SigningSecrets secrets, StoredCallbackSettings stored) {
        this.stored = stored;
        Map<String, CallbackTarget> built = new LinkedHashMap<>();
        properties.targets().forEach((topic, settings) -> {
            String key = HttpCallbackProperties.PREFIX + ".targets." + topic;
            CallbackTarget target = settings.toCallbackTarget(key);
            String appKey = settings.appKey();
            try {
                guard.checkHost(appKey, target);
            } catch (TargetNotAllowedException e) {
                throw new IllegalStateException(key + ".url refused: " + e.getMessage() + " (allowed hosts: "
                        + HttpCallbackProperties.PREFIX + ".allowed-hosts." + appKey + ")", e);
            }
            try {
                guard.checkAddresses(target);
            } catch (TargetNotAllowedException e) {
                throw new IllegalStateException(key + ".url refused: " + e.getMessage(), e);
            } catch (UnknownHostException e) {
                log.warn("{}.url: host {} does not resolve now; it is checked again before every callback",
                        key, target.host());
            }
            if (secrets.secretFor(appKey).isEmpty()) {
                throw new IllegalStateException(key + ".app-key " + appKey + " has no signing secret: set "
                        + HttpCallbackProperties.PREFIX + ".signing-secrets." + appKey);
            }
            built.put(topic, target);
        });
        this.targets = Map.copyOf(built);
    }

    @Override
    public Optional<CallbackTarget> targetFor(String topic) {
        if (stored != null) {
            Optional<CallbackTarget> set = stored.target(topic);
            if (set.isPresent()) {
                return set;
            }
        }
        return Optional.ofNullable(targets.get(topic));
    }
}
