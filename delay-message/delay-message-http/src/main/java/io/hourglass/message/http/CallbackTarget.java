package io.hourglass.message.http;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how the messages of one topic are called back.
 *
 * <p>Only the shape is checked here (an absolute http/https URL with a host, a positive timeout, header names that
 * are neither Hourglass's own nor ones the HTTP client sets itself). Whether the host may be called at all (the app's
 * allowed hosts, private addresses) is {@link CallbackTargetGuard}'s job, at configuration time and again at every
 * send.
 *
 * @param url                 absolute {@code http} or {@code https} URL
 * @param method              {@link Method#POST} or {@link Method#PUT}
 * @param headers             fixed headers sent with every callback of this target, after Hourglass's own and before
 *                            the message's; never {@code null}
 * @param timeout             the "time to respond" (ttr): from the start of the request until the whole answer is
 *                            in; a callback that takes longer is a failed attempt
 * @param allowPrivateNetwork allow addresses that are otherwise refused (loopback, link-local, private, multicast,
 *                            any-local); for receivers inside the operator's own network only
 */
public record CallbackTarget(URI url, Method method, Map<String, String> headers, Duration timeout,
                             boolean allowPrivateNetwork) {

    /** The HTTP methods a callback may use: both carry the payload as the request body. */
    public enum Method { POST, PUT }

    public CallbackTarget {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(timeout, "timeout");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("callback URL must be http or https: " + url);
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("callback URL has no host: " + url);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("callback timeout must be positive: " + timeout);
        }
        Map<String, String> copy = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> {
                if (CallbackHeaders.isReserved(name) || CallbackHeaders.isSetByClient(name)) {
                    throw new IllegalArgumentException("callback header " + name + " cannot be set by a target");
                }
                copy.put(name, Objects.requireNonNull(value, name));
            });
        }
        headers = Collections.unmodifiableMap(copy);
    }

    /** A POST target without fixed headers that refuses private addresses. */
    public static CallbackTarget post(URI url, Duration timeout) {
        return new CallbackTarget(url, Method.POST, Map.of(), timeout, false);
    }

    /** The host of {@link #url()}, lower case, without the brackets of an IPv6 literal. */
    public String host() {
        return CallbackTargetGuard.normalizeHost(url.getHost());
    }
}
