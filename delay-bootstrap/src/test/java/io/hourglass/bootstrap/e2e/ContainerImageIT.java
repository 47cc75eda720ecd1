package io.hourglass.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The container image ({@code -Pimage}: {@code target/hourglass-image.tar}, built by Jib without a Docker daemon),
 * loaded into podman and run as docs/operations.md ("Container image") says, with a memory limit, a read-only root file
 * system and a named volume for its data; then the README's quick-start curl commands against it, its probes, and a
 * stop by SIGTERM.
 * <p>
 * The container shares the host's network ({@code --network=host}): the standalone server keeps its loopback address
 * (the demo app of the README is refused on any other, docs/security.md), and its ports are free ones, since other
 * servers run on this machine.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIT {

    static final String DATA = "/var/lib/hourglass/data";
    static final long MEMORY_LIMIT = 1536L << 20;

    static Podman podman;
    static Path logDir;
    static String imageId;
    static String name;
    static int port;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void loadAndStart() throws Exception {
        String tar = System.getProperty("hourglass.image.tar");
        assumeTrue(tar != null, "the image is built and checked with -Pimage only");
        assertThat(Path.of(tar)).as("the image tar of jib:buildTar (-Pimage)").isRegularFile();
        String missing = Podman.missingBinaries();
        assertThat(missing).as("tools this test needs").isNull();
        logDir = Path.of(System.getProperty("hourglass.it-logs", "target/it-logs"));
        Files.createDirectories(logDir);
        name = "hourglass-it-" + UUID.randomUUID().toString().substring(0, 8);
        podman = new Podman(logDir.resolve(name + "-podman.log"));
        imageId = Files.readString(Path.of(System.getProperty("hourglass.image.id-file"))).trim().replace("sha256:", "");

        podman.run("load", "-q", "-i", tar);
        podman.run("volume", "create", name);
        port = ServerProcess.freePort();
        int kafkaPort = ServerProcess.freePort();
        podman.run("run", "-d", "--name", name, "--network=host", "--memory=" + MEMORY_LIMIT, "--read-only",
                "-v", name + ":" + DATA, imageId,
                "--server.port=" + port,
                "--delay.message.kafka.embedded-port=" + kafkaPort,
                "--delay.message.kafka.embedded-controller-port=" + ServerProcess.freePort(),
                "--spring.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort);
        await("the container's readiness probe (see " + logDir + "/" + name + ".log)")
                .atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    try {
                        return get("/actuator/health/readiness").status() == 200;
                    } catch (IOException notListening) {
                        String state = podman.run("inspect", "--format", "{{.State.Status}}", name);
                        if (!state.equals("running")) {
                            throw new IllegalStateException("the container is " + state + ": " + podman.run("logs", name));
                        }
                        return false;
                    }
                });
    }

    @AfterAll
    static void removeAll() throws Exception {
        if (podman == null) {
            return;
        }
        for (String[] cmd : List.of(new String[] {"rm", "-f", "-t", "0", name}, new String[] {"volume", "rm", "-f", name},
                new String[] {"rmi", "-f", imageId})) {
            Podman.Result r = podman.tryRun(cmd);
            if (r.exit() != 0) {
                System.err.println("ContainerImageIT: podman " + String.join(" ", cmd) + " failed (" + r.exit() + ")");
            }
        }
    }

    @Test
    @Order(1)
    void imageRunsJavaAsANonRootUserWithTheContainerFlags() throws Exception {
        JsonNode config = RestClient.JSON.readTree(podman.run("image", "inspect", imageId)).get(0).get("Config");
        assertThat(config.get("User").asText()).isEqualTo("10001:0");
        List<String> entrypoint = new ArrayList<>();
        config.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).contains("-XX:MaxRAMPercentage=75", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                "-Dfile.encoding=UTF-8");
        assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo("io.hourglass.bootstrap.HourglassApplication");
        assertThat(config.get("WorkingDir").asText()).isEqualTo("/var/lib/hourglass");
        assertThat(config.get("Volumes").has(DATA)).as("volumes %s", config.get("Volumes")).isTrue();
        List<String> ports = new ArrayList<>();
        config.get("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactlyInAnyOrder("8080/tcp", "9090/tcp", "9091/tcp");
    }

    @Test
    @Order(2)
    void readmeQuickStartWorksAgainstTheContainer() throws Exception {
        JsonNode submitted = RestClient.JSON.readTree(runReadmeCommand(readmeCommand("curl -s -X POST ", "/api/v1/messages")));
        assertThat(submitted.get("state").asText()).isEqualTo("SCHEDULED");
        String id = submitted.get("id").asText();
        // the README's read command, with the id it got: the message reaches the container's own Kafka broker
        String read = readmeCommand("curl -s http://", "/api/v1/messages/ID").replace("/api/v1/messages/ID", "/api/v1/messages/" + id);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> RestClient.JSON.readTree(runReadmeCommand(read)).get("state").asText().equals("DELIVERED"));
    }

    @Test
    @Order(3)
    void probesAnswerAndTheHeapFollowsTheMemoryLimit() throws Exception {
        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness", "/livez", "/readyz")) {
            Answer r = get(probe);
            assertThat(r.status()).as(probe).isEqualTo(200);
            assertThat(r.body()).as(probe).contains("\"UP\"");
        }
        // the G1 old generation can grow to the whole heap: 75 % of the container's limit (G1, not the serial
        // collector that the JVM would choose by itself below 1792 MB)
        Answer r = get("/actuator/metrics/jvm.memory.max?tag=id:G1%20Old%20Gen");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        long heapMax = RestClient.JSON.readTree(r.body()).get("measurements").get(0).get("value").asLong();
        assertThat(heapMax).isEqualTo(MEMORY_LIMIT * 75 / 100);
    }

    @Test
    @Order(4)
    void dataIsWrittenToTheVolumeByTheContainerUser() throws Exception {
        Path volume = Path.of(podman.run("volume", "inspect", "--format", "{{.Mountpoint}}", name));
        Path h2 = volume.resolve("h2/hourglass.mv.db");
        assertThat(h2).isRegularFile();
        assertThat(Files.getAttribute(h2, "unix:uid")).isEqualTo(10001);
        assertThat(volume.resolve("kafka/meta.properties")).isRegularFile();
        assertThat(volume.resolve("admin-initial-password")).isRegularFile();
    }

    @Test
    @Order(5)
    void stopsCleanlyOnSigterm() throws Exception {
        podman.run("stop", "-t", "60", name);
        // 143 = 128 + SIGTERM: the JVM ran its shutdown; 137 would be podman's SIGKILL after the 60 s
        assertThat(podman.run("inspect", "--format", "{{.State.ExitCode}}", name)).isEqualTo("143");
        String log = podman.run("logs", name);
        Files.writeString(logDir.resolve(name + ".log"), log, StandardCharsets.UTF_8);
        assertThat(log).doesNotContain(" ERROR ");
    }

    record Answer(int status, String body) {
    }

    private static Answer get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /**
     * The first command of a {@code ```bash} block of README.md that starts with {@code start} and contains
     * {@code part}, its continuation lines joined, with the README's {@code localhost:8080} replaced by the container's
     * port.
     */
    static String readmeCommand(String start, String part) throws IOException {
        String readme = Files.readString(LocalServices.findAbove("README.md"));
        Matcher block = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            for (String command : block.group(1).replace("\\\n", " ").split("\n")) {
                String c = command.strip();
                if (c.startsWith(start) && c.contains(part)) {
                    assertThat(c).contains("localhost:8080");
                    return c.replace("localhost:8080", "localhost:" + port);
                }
            }
        }
        throw new AssertionError("README.md has no command starting with '" + start + "' containing '" + part + "'");
    }

    /** Runs a command with bash; its standard output. Fails on a non-zero exit. */
    static String runReadmeCommand(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("exit of: %s (output: %s)", command, out).isZero();
        return out;
    }
}
