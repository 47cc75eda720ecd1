package io.hourglass.exporter.dubbo;

import io.hourglass.client.api.rpc.MessageService;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The Triple server, started and stopped with the Spring context. Dubbo is configured here, in code, in a
 * {@link FrameworkModel} of its own (not Dubbo's JVM-wide default one), so nothing leaks into or out of other Dubbo
 * users of the JVM, and no {@code dubbo.*} property or annotation scanning is involved:
 * <ul>
 *   <li>protocol {@code tri} on {@code delay.exporter.dubbo.port} (HTTP/2; gRPC clients call it as they would a
 *       gRPC server), with a fixed pool of {@code delay.exporter.dubbo.threads};</li>
 *   <li>registry {@code delay.exporter.dubbo.registry-address}: {@code N/A} (direct URLs) by default, or
 *       ZooKeeper, where the service is registered per interface (the form every Dubbo 3 consumer reads);</li>
 *   <li>no QoS server (it would bind :22222 on every interface), no metadata or config centre of its own.</li>
 * </ul>
 * It starts in the last lifecycle phase, when the engine already runs, and stops first, before the engine stops,
 * so no call reaches a stopped engine. A taken port fails the start with a {@link DubboPortInUseException}.
 */
final class DubboServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DubboServer.class);

    /** Late start and early stop, around everything else (the web server uses the same idea). */
    static final int PHASE = Integer.MAX_VALUE - 2048;

    private final DubboExporterProperties properties;
    private final MessageService service;
    private FrameworkModel framework;
    private volatile boolean running;

    DubboServer(DubboExporterProperties properties, MessageService service) {
        this.properties = properties;
        this.service = service;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        checkPortFree();
        framework = new FrameworkModel();
        try {
            ApplicationConfig application = new ApplicationConfig("hourglass");
            application.setQosEnable(false);
            application.setRegisterMode("interface");
            application.setEnableFileCache(false);

            ProtocolConfig protocol = new ProtocolConfig("tri", properties.port());
            protocol.setHost(properties.host());
            protocol.setThreads(properties.threads());

            ServiceConfig<MessageService> exported = new ServiceConfig<>();
            exported.setInterface(MessageService.class);
            exported.setRef(service);

            DubboBootstrap.newInstance(framework)
                    .application(application)
                    .registry(new RegistryConfig(properties.registryAddress()))
                    .protocol(protocol)
                    .service(exported)
                    .start();
        } catch (RuntimeException e) {
            framework.destroy();
            framework = null;
            if (causedByBind(e)) {
                throw new DubboPortInUseException(properties.port(), e);
            }
            throw e;
        }
        running = true;
        log.info("Dubbo Triple (gRPC) service {} on port {}, registry {}", MessageService.SERVICE_NAME,
                properties.port(), properties.registryAddress());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        framework.destroy(); // unregisters, closes the server (in-flight calls get Dubbo's shutdown wait)
        framework = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Fails fast, before Dubbo logs half a start-up, when the port is visibly taken. */
    private void checkPortFree() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            InetAddress bind = properties.host() == null ? null : InetAddress.getByName(properties.host());
            probe.bind(new InetSocketAddress(bind, properties.port()));
        } catch (BindException e) {
            throw new DubboPortInUseException(properties.port(), e);
        } catch (IOException e) {
            // cannot tell; let Dubbo try and report
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || t.getMessage() != null && t.getMessage().contains("Failed to bind")) {
                return true;
            }
        }
        return false;
    }
}
