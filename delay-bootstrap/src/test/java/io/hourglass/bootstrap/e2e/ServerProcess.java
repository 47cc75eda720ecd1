package io.hourglass.bootstrap.e2e;

import io.hourglass.testsupport.TestService;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * The packaged server ({@code target/hourglass.jar}) as a separate process, started in its own working directory
 * (so {@code ./data} is private to the test), killed with SIGKILL and restarted on the same data.
 */
final class ServerProcess implements AutoCloseable {

    private final Path workDir;
    private final List<String> args;
    final int httpPort;
    /** Where actuator answers: {@code --management.server.port} when given (cluster mode), else the API port. */
    final int managementPort;
    private Process process;
    private List<String> jvmOptions = List.of("-Xmx768m", "-XX:+UseG1GC");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ServerProcess(Path workDir, int httpPort, List<String> extraArgs) {
        this.workDir = workDir;
        this.httpPort = httpPort;
        this.args = new ArrayList<>(extraArgs);
        if (args.stream().noneMatch(a -> a.startsWith("--server.port="))) {
            args.add("--server.port=" + httpPort);
        }
        // test servers listen on loopback and keep the demo app (RestClient's demo/demo-secret) whatever the mode:
        // the server refuses the published demo secret on any other address (docs/security.md)
        if (args.stream().noneMatch(a -> a.startsWith("--server.address="))) {
            args.add("--server.address=127.0.0.1");
        }
        if (args.stream().noneMatch(a -> a.startsWith("--delay.bootstrap-app.enabled="))) {
            args.add("--delay.bootstrap-app.enabled=true");
        }
        this.managementPort = args.stream().filter(a -> a.startsWith("--management.server.port="))
                .map(a -> Integer.parseInt(a.substring("--management.server.port=".length()))).findFirst()
                .orElse(httpPort);
    }

    /** A standalone server with its embedded Kafka broker on {@code kafkaPort}. */
    static ServerProcess standalone(Path workDir, int kafkaPort, String... more) throws IOException {
        int http = freePort();
        List<String> a = new ArrayList<>(List.of(
                "--server.port=" + http,
                "--delay.message.kafka.embedded=true",
                "--delay.message.kafka.embedded-port=" + kafkaPort,
                "--delay.message.kafka.embedded-controller-port=" + freePort(),
                "--spring.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort));
        a.addAll(List.of(more));
        return new ServerProcess(workDir, http, a);
    }

    /**
     * A server with its messages in an external store ({@code profile}: mysql or cassandra) and its output to the
     * external Kafka broker of {@code scripts/lib/services.sh start_kafka} (env HOURGLASS_KAFKA_BOOTSTRAP).
     */
    static ServerProcess external(Path workDir, String profile, String... more) throws IOException {
        int http = freePort();
        List<String> a = new ArrayList<>(List.of(
                "--server.port=" + http,
                "--spring.profiles.active=" + profile,
                "--spring.kafka.bootstrap-servers=" + TestService.KAFKA.address()));
        a.addAll(List.of(more));
        return new ServerProcess(workDir, http, a);
    }

    /** Replaces the JVM options ({@code -Xmx768m -XX:+UseG1GC} unless set); call before {@link #start()}. */
    ServerProcess jvmOptions(String... options) {
        this.jvmOptions = List.of(options);
        return this;
    }

    /** The operating-system id of the running server process (for jcmd). */
    long pid() {
        return process.pid();
    }

    /** The server's console output (stdout and stderr). */
    Path logFile() {
        return workDir.resolve("server.log");
    }

    ServerProcess start() throws IOException {
        String jar = System.getProperty("hourglass.jar", "target/hourglass.jar");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
        cmd.addAll(args);
        Files.createDirectories(workDir);
        process = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("server.log").toFile()))
                .start();
        try {
            // generous: a server joining a cluster under load on 2 shared cores starts slowly (class loading, JIT)
            await("server on :" + httpPort + " healthy (see " + workDir.resolve("server.log") + ")")
                    .atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(250))
                    .until(this::healthy);
        } catch (RuntimeException e) {
            process.destroyForcibly(); // never leave a half-started server behind a failed test
            throw e;
        }
        return this;
    }

    boolean healthy() {
        if (!process.isAlive()) {
            throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + workDir.resolve("server.log"));
        }
        return healthyWithin(Duration.ofSeconds(2));
    }

    /** {@code /actuator/health} answered UP within {@code within} (the process may be gone: then false). */
    boolean healthyWithin(Duration within) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/actuator/health"))
                    .timeout(within).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The server's arguments, as given. */
    List<String> args() {
        return List.copyOf(args);
    }

    /** Base URL of actuator ({@code /actuator/**}). */
    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: graceful shutdown
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        keepLog();
    }

    /**
     * Copies the server's log to {@code target/it-logs/} (the working directory is a {@code @TempDir} that JUnit
     * deletes): after a failed run, the log of every server the test started is still there to read.
     */
    private void keepLog() {
        if (process == null || !Files.exists(logFile())) {
            return;
        }
        try {
            Path dir = Path.of(System.getProperty("hourglass.it-logs", "target/it-logs"));
            Files.createDirectories(dir);
            Files.copy(logFile(), dir.resolve(java.time.LocalTime.now().toString().replace(':', '-') + "-port"
                    + httpPort + "-pid" + process.pid() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // a convenience for whoever reads a failure; never a reason to fail the test
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
