package io.hourglass.bootstrap.config;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where this server accepts app credentials from beyond this host: the API port ({@code server.address}) and, when
 * enabled, the RPC port ({@code delay.exporter.dubbo.host}). The management and internal ports never accept an app
 * secret, so they do not count.
 *
 * @param listeners one line per listener that is not on a loopback address, naming its key (empty: loopback only)
 */
record ServerExposure(List<String> listeners) {

    /** The published secret of the demo app ({@code delay.bootstrap-app.*} defaults, README). */
    static final String DEMO_SECRET = "demo-secret";

    ServerExposure {
        listeners = List.copyOf(listeners);
    }

    /** True when some listener accepting app credentials is reachable from other hosts. */
    boolean exposed() {
        return !listeners.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(" and ", listeners);
    }

    static ServerExposure of(Environment env) {
        Binder binder = Binder.get(env);
        List<String> listeners = new ArrayList<>();
        String api = binder.bind("server.address", String.class).map(String::trim).orElse("");
        if (!isLoopback(api)) {
            listeners.add(api.isEmpty() ? "server.address unset (every interface)" : "server.address=" + api);
        }
        if (binder.bind("delay.exporter.dubbo.enabled", Boolean.class).orElse(false)) {
            String rpc = binder.bind("delay.exporter.dubbo.host", String.class).map(String::trim).orElse("");
            if (!isLoopback(rpc)) {
                listeners.add(rpc.isEmpty() ? "delay.exporter.dubbo.host unset (every interface)"
                        : "delay.exporter.dubbo.host=" + rpc);
            }
        }
        return new ServerExposure(listeners);
    }

    /** A literal or a name resolving to a loopback address; empty (every interface) and unresolvable are not. */
    static boolean isLoopback(String address) {
        if (address.isEmpty()) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // the server cannot bind it either; the web server's own failure names it
        }
    }
}
