package io.hourglass.message.http;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@link AllowedHosts} from {@code delay.message.http.allowed-hosts.<appKey>}, overlaid by the hosts set through the
 * admin API ({@link StoredCallbackSettings}): an app with stored hosts uses those. Thread-safe.
 */
public final class PropertiesAllowedHosts implements AllowedHosts {

    private final Map<String, Set<String>> patterns;
    private final StoredCallbackSettings stored;

    public PropertiesAllowedHosts(HttpCallbackProperties properties) {
        this(properties, null);
    }

    /** @param stored the admin API's settings, or null */
    public PropertiesAllowedHosts(HttpCallbackProperties properties, StoredCallbackSettings stored) {
        this(properties.allowedHosts(), stored);
    }

    public PropertiesAllowedHosts(Map<String, List<String>> patternsByApp) {
        this(patternsByApp, null);
    }

    private PropertiesAllowedHosts(Map<String, List<String>> patternsByApp, StoredCallbackSettings stored) {
        this.patterns = patternsByApp.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> Set.copyOf(new LinkedHashSet<>(e.getValue()))));
        this.stored = stored;
    }

    @Override
    public Set<String> patternsFor(String appKey) {
        if (stored != null) {
            Optional<Set<String>> set = stored.hosts(appKey);
            if (set.isPresent()) {
                return set.get();
            }
        }
        return patterns.getOrDefault(appKey, Set.of());
    }
}
