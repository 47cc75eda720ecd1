package io.hourglass.message.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;

/**
 * The SSRF guard: decides whether a callback of an app may go to a target. Used when targets are configured and
 * again before every request, since what a name resolves to can change.
 *
 * <p>A target is refused unless
 * <ol>
 *   <li>its URL is {@code http} or {@code https} (checked by {@link CallbackTarget} itself);</li>
 *   <li>its host matches one of the app's {@link AllowedHosts} patterns;</li>
 *   <li>none of the addresses its host resolves to is loopback, link-local, site-local/private (10/8, 172.16/12,
 *       192.168/16, fec0::/10), unique-local (fc00::/7), multicast, any-local ({@code 0.0.0.0}, {@code ::}), this
 *       network (0/8), shared (100.64/10), benchmarking (198.18/15) or reserved (240/4, broadcast) —
 *       unless the target sets {@link CallbackTarget#allowPrivateNetwork()}. Every address counts, not only the
 *       first, because the client may connect to any of them.</li>
 * </ol>
 *
 * <p>What it does not stop: the client resolves the name again when it connects, so a name whose DNS answer changes
 * between the check and the connection (DNS rebinding with a zero TTL) can slip through once. The JVM's positive DNS
 * cache ({@code networkaddress.cache.ttl}, 30 s by default) makes both lookups see the same answer in practice.
 *
 * <p>Thread-safe. {@link #checkAddresses} resolves names and so blocks: never call it on a firing thread.
 */
public final class CallbackTargetGuard {

    /** Resolves a host name to its addresses ({@link InetAddress#getAllByName} outside tests). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final AllowedHosts allowedHosts;
    private final Resolver resolver;

    public CallbackTargetGuard(AllowedHosts allowedHosts) {
        this(allowedHosts, InetAddress::getAllByName);
    }

    public CallbackTargetGuard(AllowedHosts allowedHosts, Resolver resolver) {
        this.allowedHosts = Objects.requireNonNull(allowedHosts, "allowedHosts");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Refuses a target whose host is not among {@code appKey}'s allowed hosts. Does not resolve anything.
     *
     * @throws TargetNotAllowedException with the reason
     */
    public void checkHost(String appKey, CallbackTarget target) {
        if (!allowedHosts.allows(appKey, target.host())) {
            throw new TargetNotAllowedException("host " + target.host() + " is not among the allowed hosts of app "
                    + appKey + " " + allowedHosts.patternsFor(appKey));
        }
    }

    /**
     * Resolves the target's host and refuses it when one of its addresses is not public (see the class comment),
     * unless the target allows private networks.
     *
     * @return the addresses (for logging and tests)
     * @throws UnknownHostException      the name does not resolve
     * @throws TargetNotAllowedException with the offending address
     */
    public InetAddress[] checkAddresses(CallbackTarget target) throws UnknownHostException {
        InetAddress[] addresses = resolver.resolve(target.host());
        if (!target.allowPrivateNetwork()) {
            for (InetAddress address : addresses) {
                String kind = nonPublicKind(address);
                if (kind != null) {
                    throw new TargetNotAllowedException("host " + target.host() + " resolves to " + kind + " address "
                            + address.getHostAddress() + " (set allow-private-network on the target to permit it)");
                }
            }
        }
        return addresses;
    }

    /** Why {@code address} is not public ("loopback", "private", ...), or {@code null} when it is public. */
    static String nonPublicKind(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "any-local";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address instanceof Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc) {
            return "unique-local"; // fc00::/7, which InetAddress#isSiteLocalAddress does not cover
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return "this-network"; // 0/8: Linux connects 0.x.x.x to the local host
            }
            if (first == 100 && (second & 0xc0) == 64) {
                return "shared"; // 100.64/10, carrier-grade NAT; also some clouds' metadata (100.100.100.200)
            }
            if (first == 198 && (second & 0xfe) == 18) {
                return "benchmarking"; // 198.18/15: test networks, often internal
            }
            if (first >= 240) {
                return "reserved"; // 240/4 and the broadcast address
            }
        }
        return null;
    }

    /** A host as compared with patterns: lower case, trailing dot and IPv6 brackets removed. */
    static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** A target the guard refuses; the message says why. */
    public static final class TargetNotAllowedException extends RuntimeException {
        public TargetNotAllowedException(String message) {
            super(message);
        }
    }
}
