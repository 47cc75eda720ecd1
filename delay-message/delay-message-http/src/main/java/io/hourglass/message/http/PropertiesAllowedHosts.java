package io.hourglass.message.http;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@link AllowedHosts} from {@code delay.message.http.allowed-hosts.<appKey>}. Immutable. */
public final class PropertiesAllowedHosts implements AllowedHosts {

    private final Map<String, Set<String>> patterns;

    public PropertiesAllowedHosts(HttpCallbackProperties properties) {
        this(properties.allowedHosts());
    }

    public PropertiesAllowedHosts(Map<String, List<String>> patternsByApp) {
        this.patterns = patternsByApp.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> Set.copyOf(new LinkedHashSet<>(e.getValue()))));
    }

    @Override
    public Set<String> patternsFor(String appKey) {
        return patterns.getOrDefault(appKey, Set.of());
    }
}
