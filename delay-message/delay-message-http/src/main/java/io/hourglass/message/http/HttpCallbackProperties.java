package io.hourglass.message.http;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Settings of the HTTP callback emitter ({@code delay.message.http.*}).
 *
 * <p>Shape errors fail the start here, with the full key: a URL that is not absolute http/https, a method other than
 * POST or PUT, a missing app key, a short secret, a malformed host pattern. Whether a target's host is allowed and
 * public is checked when the targets are built ({@link PropertiesCallbackTargets}).
 *
 * @param enabled              create the emitter ({@link HttpCallbackEmitterAutoConfiguration}); off by default
 * @param connectTimeout       how long opening a connection may take; longer counts as "target unavailable" (no
 *                             attempt spent). Keep it below the targets' timeouts, or a dead host looks like a slow one
 * @param maxConcurrentPerHost requests in flight per host at most; more wait (asynchronously) for a free one
 * @param settingsRefresh      how often each server reads again the targets, hosts and secrets set through the admin
 *                             API (the server that made a change applies it at once)
 * @param targets              the callback target of each topic, by topic name
 * @param signingSecrets       each app's signing secret, by app key: UTF-8 text of at least 16 bytes (32 random
 *                             bytes, hex or base64 encoded, recommended); the HMAC key is the UTF-8 bytes of the text
 * @param allowedHosts         the hosts each app's callbacks may go to, by app key: exact hosts or {@code *.domain}
 */
@ConfigurationProperties(HttpCallbackProperties.PREFIX)
@Validated
public record HttpCallbackProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("2s") @NotNull @DurationMin(millis = 1) Duration connectTimeout,
        @DefaultValue("32") @Min(1) @Max(10_000) int maxConcurrentPerHost,
        @DefaultValue("5s") @NotNull @DurationMin(seconds = 1) Duration settingsRefresh,
        @Valid Map<String, Target> targets,
        Map<String, String> signingSecrets,
        Map<String, List<String>> allowedHosts) {

    public static final String PREFIX = "delay.message.http";

    static final int MIN_SECRET_BYTES = 16;

    public HttpCallbackProperties {
        targets = targets == null ? Map.of() : new TreeMap<>(targets);
        signingSecrets = signingSecrets == null ? Map.of() : new TreeMap<>(signingSecrets);
        allowedHosts = allowedHosts == null ? Map.of() : new TreeMap<>(allowedHosts);
        targets.forEach((topic, target) -> target.check(PREFIX + ".targets." + topic));
        Duration connect = connectTimeout;
        targets.forEach((topic, target) -> {
            if (connect != null && target.timeout() != null && target.timeout().compareTo(connect) <= 0) {
                throw new IllegalArgumentException(PREFIX + ".targets." + topic + ".timeout (" + target.timeout()
                        + ") must be longer than " + PREFIX + ".connect-timeout (" + connect + "): a host that does"
                        + " not accept in time counts as down (no attempt spent), one that does not answer as a"
                        + " failed attempt, so a connection must be able to fail first");
            }
        });
        signingSecrets.forEach((app, secret) -> {
            if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(PREFIX + ".signing-secrets." + app + " must be at least "
                        + MIN_SECRET_BYTES + " bytes");
            }
        });
        allowedHosts.forEach((app, patterns) -> {
            for (int i = 0; i < patterns.size(); i++) {
                try {
                    AllowedHosts.checkPattern(patterns.get(i));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(PREFIX + ".allowed-hosts." + app + "[" + i + "]: "
                            + e.getMessage());
                }
            }
        });
    }

    /**
     * One topic's callback target ({@code delay.message.http.targets.<topic>.*}).
     *
     * @param appKey              the app this topic's callbacks belong to: its {@code allowed-hosts} must admit the
     *                            URL's host and its {@code signing-secrets} entry must exist, checked at start. (At
     *                            send time every message is checked against the allowed hosts of its own app.)
     * @param url                 absolute {@code http} or {@code https} URL
     * @param method              {@code POST} (default) or {@code PUT}
     * @param headers             fixed headers sent with every callback (not {@code X-Hourglass-*}, {@code Host},
     *                            {@code Content-Length}, {@code Connection}, {@code Expect}, {@code Upgrade})
     * @param timeout             the ttr: how long the receiver has to answer completely; longer is a failed attempt
     * @param allowPrivateNetwork allow loopback, private, link-local, multicast and any-local addresses (receivers
     *                            inside the operator's network only)
     */
    public record Target(
            String appKey,
            String url,
            @DefaultValue("POST") String method,
            Map<String, String> headers,
            @DefaultValue("10s") @NotNull @DurationMin(millis = 1) Duration timeout,
            @DefaultValue("false") boolean allowPrivateNetwork) {

        public Target {
            headers = headers == null ? Map.of() : new LinkedHashMap<>(headers);
        }

        /** Checks the shape, naming keys under {@code key}; see {@link #toCallbackTarget}. */
        void check(String key) {
            toCallbackTarget(key);
        }

        /** The target as the emitter sees it; the exception names the offending key under {@code key}. */
        CallbackTarget toCallbackTarget(String key) {
            if (appKey == null || appKey.isBlank()) {
                throw new IllegalArgumentException(key + ".app-key is required: the app whose allowed hosts and "
                        + "signing secret this target uses");
            }
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException(key + ".url is required");
            }
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(key + ".url is not a URL: '" + url + "' (" + e.getReason() + ")");
            }
            CallbackTarget.Method verb;
            try {
                verb = CallbackTarget.Method.valueOf(method.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ".method must be one of "
                        + Set.of(CallbackTarget.Method.values()) + ": '" + method + "'");
            }
            try {
                return new CallbackTarget(uri, verb, headers, timeout, allowPrivateNetwork);
            } catch (IllegalArgumentException e) {
                String field = e.getMessage().startsWith("callback header") ? ".headers"
                        : e.getMessage().startsWith("callback timeout") ? ".timeout" : ".url";
                throw new IllegalArgumentException(key + field + ": " + e.getMessage());
            }
        }
    }
}
