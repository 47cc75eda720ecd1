package io.hourglass.bootstrap.config;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.engine.AppDirectory;
import io.hourglass.core.engine.DeadLetters;
import io.hourglass.core.engine.DelayEngine;
import io.hourglass.core.engine.DelayService;
import io.hourglass.core.engine.LocalSubmitRateLimiter;
import io.hourglass.core.spi.SubmitRateLimiter;
import io.hourglass.core.spi.AppChangeBus;
import io.hourglass.core.engine.StandaloneCoordinator;
import io.hourglass.core.spi.AppStore;
import io.hourglass.core.cluster.ClusterSettings;
import io.hourglass.core.spi.Coordinator;
import io.hourglass.core.spi.MessageEmitter;
import io.hourglass.message.http.CallbackTargets;
import io.hourglass.message.http.HttpCallbackEmitter;
import io.hourglass.core.spi.MessageStore;
import io.hourglass.core.spi.PeerClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wires the engine to whichever store, coordinator and emitter the adapter modules (or the user) provide.
 * A missing port fails the start with the property that selects it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({DelayCoreProperties.class, StoreProperties.class, MessageProperties.class, DeadLetterProperties.class, ProtocolProperties.class, BootstrapAppProperties.class,
        AppsProperties.class})
public class HourglassCoreConfiguration {

    /** A base URL: scheme, host (or [IPv6]), optional port (group 3). */
    private static final Pattern ADDRESS = Pattern.compile("(https?)://([^/\\s:\\[\\]]+|\\[[^\\]/\\s]+\\])(?::(\\d+))?/?");

    @Bean
    @ConditionalOnMissingBean
    DelayClock delayClock() {
        return DelayClock.system();
    }

    @Bean
    @ConditionalOnMissingBean(Coordinator.class)
    @ConditionalOnProperty(name = "delay.protocol.type", havingValue = "standalone", matchIfMissing = true)
    StandaloneCoordinator standaloneCoordinator(ProtocolProperties protocol, Environment env) {
        return new StandaloneCoordinator(protocol.slotCount(), nodeId(protocol, env));
    }

    /**
     * What a cluster coordinator (etcd, zookeeper) needs to know about this server. Fails the start, naming the key,
     * when a cluster is configured without {@code delay.protocol.internal-token}.
     */
    @Bean
    @ConditionalOnMissingBean
    ClusterSettings clusterSettings(ProtocolProperties protocol, Environment env) {
        if (protocol.type() != ProtocolProperties.Type.STANDALONE && protocol.internalToken().isBlank()) {
            throw new IllegalStateException("delay.protocol.internal-token must be set when delay.protocol.type="
                    + protocol.type().name().toLowerCase(java.util.Locale.ROOT) + ": the same secret on every server of"
                    + " the cluster (it authenticates the calls that route requests to a message's owner)");
        }
        return new ClusterSettings(protocol.slotCount(), nodeId(protocol, env), advertisedAddress(protocol, env),
                protocol.ttl(), protocol.rebalanceDelay());
    }

    @Bean
    DelayEngine delayEngine(ObjectProvider<MessageStore> store, ObjectProvider<MessageEmitter> emitters,
                            ObjectProvider<HttpCallbackEmitter> callbacks, ObjectProvider<CallbackTargets> targets,
                            ObjectProvider<Coordinator> coordinator, DelayClock clock, DelayCoreProperties core,
                            ProtocolProperties protocol, StoreProperties stores, MessageProperties messages,
                            DeadLetters deadLetters, MeterRegistry registry) {
        DelayEngine engine = new DelayEngine(
                required(store, "MessageStore", "delay.store.type", lower(stores.type())),
                EmitterSelection.choose(emitters.orderedStream().toList(), callbacks.getIfAvailable(),
                        targets.getIfAvailable(), lower(messages.type())),
                required(coordinator, "Coordinator", "delay.protocol.type", lower(protocol.type())),
                clock, core.toSettings(), registry);
        engine.deadLetterTo(deadLetters);
        return engine;
    }

    /** Where messages that go DEAD are copied: the engine's, and the admin API's when it allows a topic. */
    @Bean
    DeadLetters deadLetters(DeadLetterProperties properties) {
        return properties.toDeadLetters();
    }

    @Bean
    AppDirectory appDirectory(ObjectProvider<AppStore> appStore, DelayClock clock, AppsProperties apps,
                              ObjectProvider<AppChangeBus> changes, StoreProperties stores) {
        AppDirectory directory = new AppDirectory(required(appStore, "AppStore", "delay.store.type",
                lower(stores.type())), clock,
                new AppDirectory.Settings(apps.cacheSize(), apps.cacheTtl()));
        // a change announced by any server (Redis topic or coordinator key) drops the cached copy here at once
        changes.ifAvailable(bus -> bus.subscribe(appKey -> {
            if (AppChangeBus.ALL.equals(appKey)) {
                directory.invalidateAll();
            } else {
                directory.invalidate(appKey);
            }
        }));
        return directory;
    }

    /**
     * The submit-rate quota: cluster-wide through a {@link SubmitRateLimiter} bean when there is one (profile
     * redis), per server otherwise. Looked up here rather than declared as a default bean, because this class is
     * read before the auto-configurations that may provide one.
     */
    @Bean
    DelayService delayService(DelayEngine engine, MessageStore store, AppDirectory apps, DelayClock clock,
                              ObjectProvider<PeerClient> peers, ObjectProvider<SubmitRateLimiter> limiter) {
        return new DelayService(engine, store, apps, clock, peers.getIfAvailable(),
                limiter.getIfAvailable(() -> new LocalSubmitRateLimiter(clock)));
    }

    @Bean
    EngineLifecycle engineLifecycle(DelayEngine engine, AppDirectory apps, BootstrapAppProperties bootstrapApp,
                                    Environment env) {
        return new EngineLifecycle(engine, apps, bootstrapApp, ServerExposure.of(env));
    }

    static String nodeId(ProtocolProperties protocol, Environment env) {
        if (!protocol.nodeId().isBlank()) {
            return protocol.nodeId();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + env.getProperty("server.port", "8080");
    }

    /**
     * The base URL peers call this server's internal endpoint at: {@code delay.protocol.advertised-address}, or
     * {@code http://<this host's address>:<port>}, the port being {@code delay.protocol.internal-port} when there is
     * one ({@code server.port} otherwise). A configured address must carry the internal port: a peer calling any
     * other port gets a 404, which it would pass on to the client as the answer.
     */
    static String advertisedAddress(ProtocolProperties protocol, Environment env) {
        String configured = protocol.advertisedAddress().trim();
        Integer internalPort = protocol.internalPort();
        if (!configured.isEmpty()) {
            Matcher url = ADDRESS.matcher(configured);
            if (!url.matches()) {
                throw new IllegalStateException("delay.protocol.advertised-address must be a base URL such as"
                        + " http://10.0.0.5:" + (internalPort == null ? 8080 : internalPort) + ", not '"
                        + configured + "'");
            }
            int port = url.group(3) != null ? Integer.parseInt(url.group(3)) : url.group(1).equals("https") ? 443 : 80;
            if (internalPort != null && port != internalPort) {
                throw new IllegalStateException("delay.protocol.advertised-address=" + configured + " must use"
                        + " delay.protocol.internal-port " + internalPort + ": the other servers call /internal/v1 at"
                        + " this address, and it answers on the internal port only");
            }
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            host = "127.0.0.1";
        }
        return "http://" + host + ":" + (internalPort != null ? internalPort.toString()
                : env.getProperty("server.port", "8080"));
    }

    /** A type selector's value as it is written in the configuration. */
    private static String lower(Enum<?> type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static <T> T required(ObjectProvider<T> provider, String port, String key, String value) {
        T bean = provider.getIfAvailable();
        if (bean == null) {
            throw new IllegalStateException("No " + port + " for " + key + "=" + value
                    + ": the module for that type is not on the classpath (or the value is misspelled)");
        }
        return bean;
    }
}
