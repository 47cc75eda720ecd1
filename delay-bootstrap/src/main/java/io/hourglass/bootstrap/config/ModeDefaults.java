package io.hourglass.bootstrap.config;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The defaults that depend on how the server runs, defined here once (docs/security.md). They are added as
 * the property source of lowest precedence: any value given anywhere (argument, environment, an
 * {@code application*.yml}, a profile) wins.
 *
 * <table>
 *   <caption>defaults by mode</caption>
 *   <tr><th>mode</th><th>key</th><th>default</th><th>why</th></tr>
 *   <tr><td>cluster ({@code delay.protocol.type} etcd / zookeeper)</td><td>{@code delay.bootstrap-app.enabled}</td>
 *       <td>{@code false}</td><td>the demo credentials are published in the README</td></tr>
 *   <tr><td>cluster</td><td>{@code management.server.port}</td><td>{@value #CLUSTER_MANAGEMENT_PORT}</td>
 *       <td>metrics and the other actuator endpoints stay off the public API port</td></tr>
 *   <tr><td>cluster</td><td>{@code delay.protocol.internal-port}</td><td>{@value #CLUSTER_INTERNAL_PORT}</td>
 *       <td>the routing endpoint {@code /internal/v1/**} answers on this port only</td></tr>
 *   <tr><td>standalone, bootstrap app enabled</td><td>{@code server.address}</td><td>{@code 127.0.0.1}</td>
 *       <td>a server holding the published demo credentials is a local sandbox</td></tr>
 * </table>
 *
 * <p>It first refuses a configuration that still sets a renamed key ({@link RenamedKeys}), naming the old key and
 * the new one, before anything reads the configuration.
 *
 * <p>The profiles {@code mysql} and {@code cassandra} turn the bootstrap app off in their own file, so a server on
 * them listens on every interface (Spring Boot's default) unless {@code server.address} says otherwise.
 */
public final class ModeDefaults implements EnvironmentPostProcessor, Ordered {

    /** Name of the property source holding these defaults. */
    public static final String SOURCE_NAME = "hourglassModeDefaults";
    public static final int CLUSTER_MANAGEMENT_PORT = 9090;
    public static final int CLUSTER_INTERNAL_PORT = 9091;
    public static final String LOOPBACK = "127.0.0.1";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        RenamedKeys.check(environment); // before anything reads the configuration
        Binder binder = Binder.get(environment);
        String type = binder.bind("delay.protocol.type", String.class).orElse("standalone")
                .trim().toLowerCase(Locale.ROOT);
        // an unknown type fails later, naming the key and the choices (ProtocolProperties); it is no cluster here
        boolean cluster = type.equals("etcd") || type.equals("zookeeper");
        Map<String, Object> defaults = new LinkedHashMap<>();
        if (cluster) {
            defaults.put("delay.bootstrap-app.enabled", "false");
            defaults.put("management.server.port", Integer.toString(CLUSTER_MANAGEMENT_PORT));
            defaults.put("delay.protocol.internal-port", Integer.toString(CLUSTER_INTERNAL_PORT));
        } else if (binder.bind("delay.bootstrap-app.enabled", Boolean.class).orElse(true)) {
            defaults.put("server.address", LOOPBACK);
        }
        environment.getPropertySources().remove(SOURCE_NAME);
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
    }

    /** After the config data (application*.yml, profiles) is loaded, so that it is read here. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
