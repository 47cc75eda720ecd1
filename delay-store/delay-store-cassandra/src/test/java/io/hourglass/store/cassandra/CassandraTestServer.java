package io.hourglass.store.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.cassandra.CassandraAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real Cassandra that {@code scripts/lib/services.sh start_cassandra} runs: where it is ({@value #CONTACT_ENV},
 * {@code host:port}), a keyspace of one's own on it ({@code hourglass_tck_<random>}, replication factor 1, dropped
 * afterwards), the production wiring on that keyspace, and a restart of the server process.
 */
final class CassandraTestServer {

    static final String CONTACT_ENV = "HOURGLASS_CASSANDRA_CONTACT";
    static final String DATACENTER = "datacenter1";
    static final String NOT_SET = CONTACT_ENV + " is not set: no Cassandra to test against. Start one with"
            + " `bash scripts/lib/services.sh start_cassandra` and then"
            + " `eval \"$(bash scripts/lib/services.sh cassandra_env)\"` (scripts/test.sh does both)";

    final String contact;
    final String keyspace;

    private CassandraTestServer(String contact, String keyspace) {
        this.contact = contact;
        this.keyspace = keyspace;
    }

    /** The server of {@value #CONTACT_ENV} and a fresh keyspace name (created by the store at start). */
    static CassandraTestServer fromEnvironment() {
        String contact = System.getenv(CONTACT_ENV);
        if (contact == null || contact.isBlank()) {
            throw new IllegalStateException(NOT_SET);
        }
        return new CassandraTestServer(contact.trim(),
                "hourglass_tck_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    /** Properties of the production wiring on this server and keyspace. */
    List<String> properties(String... more) {
        List<String> props = new ArrayList<>(List.of(
                "spring.cassandra.contact-points=" + contact,
                "spring.cassandra.local-datacenter=" + DATACENTER,
                "spring.cassandra.connection.connect-timeout=5s",
                "spring.cassandra.connection.init-query-timeout=10s",
                "delay.store.type=cassandra",
                "delay.store.cassandra.keyspace=" + keyspace,
                "delay.store.cassandra.replication-factor=1"));
        props.addAll(List.of(more));
        return props;
    }

    /** Boot's CqlSession and the store's auto-configuration, as the server wires them. */
    ConfigurableApplicationContext startStore(String... more) {
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .logStartupInfo(false)
                .properties(properties(more).toArray(String[]::new))
                .run();
    }

    /** Drops the test's keyspace (with a session of its own: the store's may be closed already). */
    void dropKeyspace() {
        try (CqlSession session = openSession()) {
            session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace)
                    .setTimeout(Duration.ofSeconds(60)));
        }
    }

    /** A session of its own on the server (no keyspace): for setting a keyspace up by hand. */
    CqlSession openSession() {
        String[] hostPort = contact.split(":");
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter(DATACENTER).build();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({CassandraAutoConfiguration.class, CassandraStoreAutoConfiguration.class})
    static class App {
    }

    // ---------------------------------------------------------------- the server process (scripts/lib/services.sh)

    /** True when the server runs and was started by {@code scripts/lib/services.sh} here, so it can be restarted. */
    static boolean managedByServicesScript() {
        try {
            return services("cassandra_running", 30).exitCode == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server and starts it on the same data and port; {@code kill}: SIGKILL (a crash of the JVM). */
    static void restart(boolean kill) throws IOException {
        Result r = kill ? services("restart_cassandra", 300, "--kill") : services("restart_cassandra", 300);
        if (r.exitCode != 0) {
            throw new IllegalStateException("restart_cassandra failed (exit " + r.exitCode + "):\n" + r.output);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result services(String function, int timeoutSeconds, String... args) throws IOException {
        Path script = repoRoot().resolve("scripts/lib/services.sh");
        Path out = Files.createTempFile("services-", ".log");
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), function));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(script + " " + function + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The checkout's root: the first directory upwards that has scripts/lib/services.sh. */
    static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/lib/services.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/lib/services.sh not found above " + Path.of("").toAbsolutePath());
    }
}
