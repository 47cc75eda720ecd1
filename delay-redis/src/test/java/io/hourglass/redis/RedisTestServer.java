package io.hourglass.redis;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real Redis that {@code scripts/lib/services.sh start_redis} starts (and {@code scripts/test.sh} always does),
 * given by {@value #ADDRESS_ENV} ({@code redis://127.0.0.1:6380}). Tests that need it are skipped without it. Each
 * test works under a key prefix of its own, so that runs never see each other's keys.
 */
final class RedisTestServer {

    static final String ADDRESS_ENV = "HOURGLASS_REDIS_ADDRESS";
    static final String NOT_SET = ADDRESS_ENV + " is not set: no Redis to test against. scripts/test.sh starts one"
            + " and sets it; by hand: bash scripts/lib/services.sh start_redis, then"
            + " eval \"$(bash scripts/lib/services.sh redis_env)\"";

    private RedisTestServer() {
    }

    static String address() {
        String address = System.getenv(ADDRESS_ENV);
        if (address == null || address.isBlank()) {
            throw new IllegalStateException(NOT_SET);
        }
        return address;
    }

    static String host() {
        return URI.create(address()).getHost();
    }

    static int port() {
        return URI.create(address()).getPort();
    }

    /** A key prefix no other test uses: {@code hg-test-<random>}. */
    static String uniquePrefix() {
        return "hg-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A client of the test Redis, as one server of a cluster has. */
    static RedissonClient client() {
        return client(address(), 30_000);
    }

    /**
     * A client of {@code address} with short timeouts and a small pool (tests run several "servers" in one JVM).
     *
     * @param watchdogMillis how long a lock stays without renewal (Redisson's lockWatchdogTimeout)
     */
    static RedissonClient client(String address, long watchdogMillis) {
        Config config = new Config();
        config.setLockWatchdogTimeout(watchdogMillis);
        config.useSingleServer()
                .setAddress(address)
                .setConnectTimeout(2000)
                .setTimeout(1000)
                .setConnectionMinimumIdleSize(2)
                .setConnectionPoolSize(8)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(4);
        return Redisson.create(config);
    }

    // ---------------------------------------------------------------- the server process (scripts/lib/services.sh)

    /** True when the server runs and was started by {@code scripts/lib/services.sh} here, so it can be restarted. */
    static boolean managedByServicesScript() {
        try {
            return services("redis_running").exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server (SIGTERM) and starts it again on the same data and port; returns once it answers. */
    static void restart() throws IOException {
        Result r = services("restart_redis");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("restart_redis failed (exit " + r.exitCode() + "):\n" + r.output());
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result services(String function) throws IOException {
        Path script = repoRoot().resolve("scripts/lib/services.sh");
        Path out = Files.createTempFile("services-", ".log");
        try {
            Process p = new ProcessBuilder(List.of("bash", script.toString(), function))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(script + " " + function + " did not finish within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The checkout's root: the first directory upwards from the module that has scripts/lib/services.sh. */
    private static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/lib/services.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/lib/services.sh not found above " + Path.of("").toAbsolutePath());
    }
}
