package io.hourglass.bootstrap.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The safe defaults of the server's ports (docs/security.md): the start-up checks that refuse an unsafe
 * configuration, naming the key, and the internal port (a second connector and the filter that keeps the ports
 * apart).
 */
@Configuration(proxyBeanMethods = false)
public class PortsConfiguration {

    /** Runs the checks when the context starts, before any port is bound. */
    @Bean
    StartupChecks hourglassStartupChecks(ProtocolProperties protocol, BootstrapAppProperties bootstrapApp,
                                         Environment env) {
        return StartupChecks.run(protocol, bootstrapApp, env);
    }

    /** A second Tomcat connector on {@code delay.protocol.internal-port}, on {@code server.address}. */
    @Bean
    @ConditionalOnClass(TomcatServletWebServerFactory.class)
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> hourglassInternalConnector(ProtocolProperties protocol,
                                                                                         Environment env) {
        return factory -> {
            if (protocol.internalPort() == null) {
                return;
            }
            Connector connector = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
            connector.setPort(protocol.internalPort());
            String address = Binder.get(env).bind("server.address", String.class).map(String::trim).orElse("");
            if (!address.isEmpty()) {
                connector.setProperty("address", address);
            }
            factory.addAdditionalTomcatConnectors(connector);
        };
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    FilterRegistrationBean<InternalPortFilter> hourglassInternalPortFilter(ProtocolProperties protocol,
                                                                          ObjectProvider<ObjectMapper> json) {
        FilterRegistrationBean<InternalPortFilter> registration = new FilterRegistrationBean<>(
                new InternalPortFilter(protocol.internalPort(), json.getIfAvailable(ObjectMapper::new)));
        registration.setName("hourglassInternalPortFilter");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE); // before Spring Security and everything else
        return registration;
    }

    /**
     * Checks that refuse to start an unsafe server, each failure naming the key to change. Nothing secret is ever
     * part of a message (a token's length, never its value).
     */
    static final class StartupChecks {

        private StartupChecks() {
        }

        static StartupChecks run(ProtocolProperties protocol, BootstrapAppProperties bootstrapApp, Environment env) {
            checkInternalToken(protocol);
            checkInternalPort(protocol, env);
            checkDemoSecret(bootstrapApp, ServerExposure.of(env));
            return new StartupChecks();
        }

        static void checkInternalToken(ProtocolProperties protocol) {
            String token = protocol.internalToken().trim();
            int bytes = token.getBytes(StandardCharsets.UTF_8).length;
            if (!token.isEmpty() && bytes < ProtocolProperties.MIN_INTERNAL_TOKEN_BYTES) {
                throw new UnsafeConfigurationException("delay.protocol.internal-token is " + bytes + " bytes long;"
                        + " it must be at least " + ProtocolProperties.MIN_INTERNAL_TOKEN_BYTES + " bytes",
                        "Set delay.protocol.internal-token to the same random value on every server of the cluster,"
                        + " for example the output of: openssl rand -base64 32");
            }
        }

        static void checkInternalPort(ProtocolProperties protocol, Environment env) {
            Integer internal = protocol.internalPort();
            if (internal == null) {
                return;
            }
            Binder binder = Binder.get(env);
            int server = binder.bind("server.port", Integer.class).orElse(8080);
            Integer management = binder.bind("management.server.port", Integer.class).orElse(null);
            if (internal == server || Objects.equals(internal, management)) {
                throw new UnsafeConfigurationException("delay.protocol.internal-port=" + internal + " is also "
                        + (internal == server ? "server.port" : "management.server.port"),
                        "Give delay.protocol.internal-port a port of its own, open to the cluster's servers only");
            }
        }

        /** The published demo secret is never accepted from beyond this host. */
        static void checkDemoSecret(BootstrapAppProperties bootstrapApp, ServerExposure exposure) {
            if (bootstrapApp.enabled() && ServerExposure.DEMO_SECRET.equals(bootstrapApp.secret())
                    && exposure.exposed()) {
                throw new UnsafeConfigurationException("delay.bootstrap-app.secret is the published demo secret and"
                        + " this server accepts app credentials beyond this host (" + exposure + ")",
                        "Set delay.bootstrap-app.enabled=false (or delay.bootstrap-app.secret to a secret of your own),"
                        + " or bind server.address=127.0.0.1");
            }
        }
    }
}
