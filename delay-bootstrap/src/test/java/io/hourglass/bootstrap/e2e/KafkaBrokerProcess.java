package io.hourglass.bootstrap.e2e;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker (KRaft, broker + controller) of the test's own, as a separate JVM that can be SIGKILLed and
 * restarted on the same ports and log dir: Kafka's own {@code kafka.Kafka} main from the test classpath (the broker
 * jars the server's embedded mode ships). Two client listeners: {@code PLAINTEXT} advertised at a relay port (the
 * server's path, through a {@code TcpProxy} that can freeze it) and {@code DIRECT} (the checker's and the broker's
 * own path, never frozen).
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dir;
    final int brokerPort;
    final int directPort;
    final int controllerPort;
    private final int advertisedPort;
    private Process process;

    KafkaBrokerProcess(Path dir, int brokerPort, int advertisedPort) throws IOException {
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.advertisedPort = advertisedPort;
        this.directPort = ServerProcess.freePort();
        this.controllerPort = ServerProcess.freePort();
    }

    String directBootstrap() {
        return "127.0.0.1:" + directPort;
    }

    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }

    private List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    KafkaBrokerProcess start() throws Exception {
        Files.createDirectories(dir);
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",DIRECT://127.0.0.1:" + directPort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + advertisedPort + ",DIRECT://127.0.0.1:" + directPort,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,DIRECT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=DIRECT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=4",
                "auto.create.topics.enable=true",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=2",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=2",
                "group.initial.rebalance.delay.ms=0",
                "log.cleaner.dedupe.buffer.size=4194304",
                "broker.session.timeout.ms=3000",
                "broker.heartbeat.interval.ms=1000",
                "num.network.threads=2",
                "num.io.threads=2",
                ""));
        Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d %level %logger{20} %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        Path log = dir.resolve("kafka.log");
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            Process format = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "-t",
                    Uuid.randomUuid().toString(), "-c", props.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("kafka storage format failed; see " + log);
            }
        }
        process = new ProcessBuilder(java("kafka.Kafka", props.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady(Duration.ofSeconds(120));
        return this;
    }

    private void awaitReady(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, directBootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("kafka exited with " + process.exitValue() + "; see " + dir.resolve("kafka.log"));
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("kafka not ready within " + atMost + "; see " + dir.resolve("kafka.log"));
                }
                Thread.sleep(200);
            }
        }
    }

    /** SIGKILL. */
    void kill9() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
