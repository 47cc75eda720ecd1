package io.hourglass.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The load generator's guard: it only ever talks to this machine. A base URL or a Kafka bootstrap list naming any
 * host but {@code localhost}, {@code 127.x.x.x} or {@code ::1} is refused before anything is sent or resolved.
 */
final class LocalTargets {

    private LocalTargets() {
    }

    /**
     * Checks and normalises the server's base URL ({@code http://127.0.0.1:8080}; no path but {@code /}).
     *
     * @throws Cli.UsageException naming the bad value
     */
    static URI requireLocalBase(String base) {
        URI uri;
        try {
            uri = new URI(base.trim());
        } catch (URISyntaxException e) {
            throw new Cli.UsageException("--base is not a URL: '" + base + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new Cli.UsageException("--base must be an http:// URL, got '" + base + "'");
        }
        if (uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new Cli.UsageException("--base must be scheme://host:port only, got '" + base + "'");
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !"/".equals(path)) {
            throw new Cli.UsageException("--base must not have a path (the API is under /api/v1), got '" + base + "'");
        }
        requireLoopback(uri.getHost(), "--base", base);
        int port = uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort();
        return URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + port); // getHost keeps [::1] bracketed
    }

    /**
     * Checks a Kafka bootstrap list ({@code host:port[,host:port...]}).
     *
     * @return the list, trimmed
     * @throws Cli.UsageException naming the bad entry
     */
    static String requireLocalKafka(String bootstrap) {
        List<String> checked = new ArrayList<>();
        for (String raw : bootstrap.split(",")) {
            String entry = raw.trim();
            int colon = entry.lastIndexOf(':');
            if (entry.isEmpty() || colon <= 0 || colon == entry.length() - 1) {
                throw new Cli.UsageException("--kafka entries must be host:port, got '" + raw + "'");
            }
            String host = entry.substring(0, colon);
            try {
                int port = Integer.parseInt(entry.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new Cli.UsageException("--kafka has a bad port in '" + raw + "'");
            }
            requireLoopback(host, "--kafka", bootstrap);
            checked.add(entry);
        }
        return String.join(",", checked);
    }

    /** Whether {@code host} names this machine by a loopback literal or {@code localhost} (no DNS is asked). */
    static boolean isLoopbackName(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static void requireLoopback(String host, String option, String given) {
        if (!isLoopbackName(host)) {
            throw new Cli.UsageException(option + " must point at this machine (localhost, 127.0.0.1 or [::1]); "
                    + "refusing '" + given + "'");
        }
        if (host.equalsIgnoreCase("localhost")) {
            // a hosts file could map "localhost" elsewhere: every address it names must be a loopback one
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    if (!address.isLoopbackAddress()) {
                        throw new Cli.UsageException(option + ": 'localhost' resolves to " + address.getHostAddress()
                                + ", which is not a loopback address; use 127.0.0.1");
                    }
                }
            } catch (UnknownHostException e) {
                throw new Cli.UsageException(option + ": 'localhost' does not resolve here; use 127.0.0.1");
            }
        }
    }
}
