package io.hourglass.message.kafka.embedded;

import io.hourglass.message.kafka.KafkaMessageProperties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesVersion;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running inside this JVM, for standalone
 * mode. Listeners bind 127.0.0.1 only. Its data directory survives restarts: it is formatted once, when no
 * {@code meta.properties} is there (a new cluster id), and reused afterwards with the same cluster id, so records
 * emitted before a restart (or a SIGKILL) are still there.
 *
 * <p>Uses Kafka 3.8's server internals ({@code StorageTool.formatCommand}, {@link KafkaRaftServer}); they moved in
 * later Kafka versions, so a Kafka upgrade must re-check this class. It never calls {@code kafka.Kafka.main} (that
 * exits the JVM), and while it runs Kafka's {@link Exit} procedures are replaced by ones that log: a fatal broker
 * fault is logged at ERROR instead of halting the whole server silently.
 *
 * <p>Life cycle: {@link #start} blocks until the broker is registered and unfenced (ready for clients), or fails
 * after {@code embedded-start-timeout}; {@link #close} shuts it down and waits. Not restartable: start a new one.
 */
public final class EmbeddedKafkaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaServer.class);

    /** Interface the listeners bind to: the embedded broker is never reachable from other machines. */
    public static final String HOST = "127.0.0.1";
    static final int NODE_ID = 1;
    private static final String META_PROPERTIES = "meta.properties";

    private enum State { RUNNING, CLOSED }

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String clusterId;
    private final Path dataDir;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);

    private EmbeddedKafkaServer(KafkaRaftServer server, String bootstrapServers, String clusterId, Path dataDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
        this.dataDir = dataDir;
    }

    /**
     * Formats the data directory if needed and starts the broker; returns once it serves clients.
     *
     * @throws IllegalStateException when a port is taken, the directory cannot be used or the broker does not start
     *                               in time; the message names the property to change
     */
    public static EmbeddedKafkaServer start(KafkaMessageProperties properties) {
        long started = System.nanoTime();
        Path dataDir = properties.embeddedDataPath();
        requireFreePort(properties.embeddedPort(), "embedded-port");
        requireFreePort(properties.embeddedControllerPort(), "embedded-controller-port");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create " + KafkaMessageProperties.PREFIX + ".embedded-data-dir "
                    + dataDir + ": " + e, e);
        }
        KafkaConfig config = new KafkaConfig(brokerProperties(properties, dataDir), false);
        String clusterId = formatIfNeeded(config);

        ExitGuard.install();
        KafkaRaftServer server = null;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
        } catch (RuntimeException e) {
            if (server != null) {
                stopQuietly(server);
            }
            ExitGuard.uninstall();
            throw new IllegalStateException("Embedded Kafka broker did not start on " + HOST + ":"
                    + properties.embeddedPort() + " with data dir " + dataDir + " (" + KafkaMessageProperties.PREFIX
                    + ".embedded-*; set " + KafkaMessageProperties.PREFIX + ".embedded=false to use an external "
                    + "cluster): " + e, e);
        }
        String bootstrap = HOST + ":" + properties.embeddedPort();
        log.info("Embedded Kafka broker up on {} in {} ms (cluster id {}, data dir {})", bootstrap,
                (System.nanoTime() - started) / 1_000_000, clusterId, dataDir);
        return new EmbeddedKafkaServer(server, bootstrap, clusterId, dataDir);
    }

    /** {@code host:port} of the client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The cluster id written when the data directory was formatted; stable across restarts. */
    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /** Shuts the broker down and waits for it (flushes and closes the logs). Idempotent. */
    @Override
    public void close() {
        if (!state.compareAndSet(State.RUNNING, State.CLOSED)) {
            return;
        }
        long started = System.nanoTime();
        try {
            stopQuietly(server);
        } finally {
            ExitGuard.uninstall();
        }
        log.info("Embedded Kafka broker on {} stopped in {} ms", bootstrapServers,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** The broker configuration: a single combined node, small footprint, fast restart after a crash. */
    static Map<String, Object> brokerProperties(KafkaMessageProperties properties, Path dataDir) {
        int port = properties.embeddedPort();
        int controllerPort = properties.embeddedControllerPort();
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", String.valueOf(properties.embeddedPartitions()));
        // one node: every replication factor is 1
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        // 50 partitions by default: 1.1 GB of sparse index files for topics few standalone users need
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        // the cleaner (for __consumer_offsets) takes 128 MiB of heap by default
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        p.put("group.initial.rebalance.delay.ms", "0");
        // after a SIGKILL the controller refuses the restarted broker until the old session expires
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("server.max.startup.time.ms", String.valueOf(properties.embeddedStartTimeout().toMillis()));
        // sized for a small machine shared with the rest of the server
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.putAll(properties.embeddedBrokerProperties());
        return p;
    }

    /**
     * Formats every log directory that has no {@code meta.properties} yet, keeping the cluster id of one that has.
     *
     * @return the cluster id
     */
    static String formatIfNeeded(KafkaConfig config) {
        List<String> dirs = new ArrayList<>(CollectionConverters.asJava(config.logDirs()));
        if (!dirs.contains(config.metadataLogDir())) {
            dirs.add(config.metadataLogDir());
        }
        Optional<String> existing = dirs.stream().map(dir -> readClusterId(Path.of(dir)))
                .flatMap(Optional::stream).findFirst();
        boolean allFormatted = dirs.stream().allMatch(dir -> Files.exists(Path.of(dir, META_PROPERTIES)));
        if (allFormatted && existing.isPresent()) {
            return existing.get();
        }
        String clusterId = existing.orElseGet(() -> Uuid.randomUuid().toString());
        MetaProperties meta = new MetaProperties.Builder()
                .setVersion(MetaPropertiesVersion.V1)
                .setClusterId(clusterId)
                .setNodeId(NODE_ID)
                .build();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.formatCommand(out, CollectionConverters.asScala(dirs).toList(), meta,
                    MetadataVersion.LATEST_PRODUCTION, true);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot format the embedded Kafka data dir " + dirs + " ("
                    + KafkaMessageProperties.PREFIX + ".embedded-data-dir): " + e, e);
        }
        if (rc != 0) {
            throw new IllegalStateException("Formatting the embedded Kafka data dir " + dirs + " failed (" + rc + "): "
                    + output.toString(StandardCharsets.UTF_8));
        }
        log.info("Formatted embedded Kafka data dir {} (cluster id {})", dirs, clusterId);
        return clusterId;
    }

    static Optional<String> readClusterId(Path dir) {
        Path file = dir.resolve(META_PROPERTIES);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        return Optional.ofNullable(props.getProperty("cluster.id"));
    }

    private static void requireFreePort(int port, String key) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
        } catch (IOException e) {
            throw new IllegalStateException("Port " + HOST + ":" + port + " for the embedded Kafka broker is in use ("
                    + KafkaMessageProperties.PREFIX + "." + key + "); choose another port, or set "
                    + KafkaMessageProperties.PREFIX + ".embedded=false to use an external cluster", e);
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka broker did not shut down cleanly", e);
        }
    }

    /**
     * Replaces Kafka's JVM-wide {@link Exit} procedures while at least one embedded broker runs, so that a broker
     * fault is logged rather than halting the server. Restores the defaults after the last one stops.
     */
    static final class ExitGuard {
        private static int installed;

        private ExitGuard() {
        }

        static synchronized void install() {
            if (installed++ == 0) {
                Exit.setExitProcedure((status, message) -> log.error("Embedded Kafka broker asked to exit the JVM "
                        + "(status {}, {}); not exiting. The broker may have stopped working: restart the server",
                        status, message));
                Exit.setHaltProcedure((status, message) -> log.error("Embedded Kafka broker asked to halt the JVM "
                        + "(status {}, {}); not halting. The broker may have stopped working: restart the server",
                        status, message));
            }
        }

        static synchronized void uninstall() {
            if (installed > 0 && --installed == 0) {
                Exit.resetExitProcedure();
                Exit.resetHaltProcedure();
            }
        }
    }
}
