package io.hourglass.message.http;

import java.util.Locale;
import java.util.Set;

/**
 * The hosts each app's callbacks may go to: the first half of the SSRF guard (the second is the address check of
 * {@link CallbackTargetGuard}). Today backed by properties ({@link PropertiesAllowedHosts}).
 *
 * <p>A pattern is an exact host name or IP literal ({@code hooks.example.com}, {@code 127.0.0.1}), or
 * {@code *.domain}, which admits every name <em>below</em> that domain ({@code a.example.com}, {@code a.b.example.com})
 * but not the domain itself. Matching ignores case. An app without patterns may call nothing.
 *
 * <p>Called on the engine's firing threads for every message: thread-safe, answers from memory.
 */
@FunctionalInterface
public interface AllowedHosts {

    /** The host patterns of {@code appKey}; empty when it has none. */
    Set<String> patternsFor(String appKey);

    /** Whether {@code host} matches one of {@code appKey}'s patterns. */
    default boolean allows(String appKey, String host) {
        for (String pattern : patternsFor(appKey)) {
            if (matches(pattern, host)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code host} matches {@code pattern} (see the class comment). */
    static boolean matches(String pattern, String host) {
        String p = CallbackTargetGuard.normalizeHost(pattern.trim());
        String h = CallbackTargetGuard.normalizeHost(host);
        if (p.startsWith("*.")) {
            String suffix = p.substring(1); // ".example.com"
            return h.length() > suffix.length() && h.endsWith(suffix);
        }
        return !p.isEmpty() && p.equals(h);
    }

    /** Checks the syntax of a pattern: a host, an IP literal or {@code *.domain}. */
    static void checkPattern(String pattern) {
        String p = pattern == null ? "" : pattern.trim().toLowerCase(Locale.ROOT);
        String name = p.startsWith("*.") ? p.substring(2) : p;
        if (name.isEmpty() || name.contains("*") || name.contains("/") || name.contains(" ")) {
            throw new IllegalArgumentException("not a host pattern (a host, an IP literal or *.domain): '" + pattern + "'");
        }
    }
}
