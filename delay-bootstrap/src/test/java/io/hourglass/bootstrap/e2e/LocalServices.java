package io.hourglass.bootstrap.e2e;

import io.hourglass.testsupport.ServicesScript;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MariaDB, etcd and ZooKeeper instances of the test's own, through {@code scripts/lib/services.sh} with a services
 * directory of their own ({@code HG_SERVICES_DIR}) and ports of their own, so that killing them never touches the
 * shared servers of {@code scripts/test.sh} that other tests use. Each call runs one function of the script
 * ({@code start_mariadb}, {@code stop_etcd --kill}, ...); only the PIDs that the script recorded in this directory
 * are ever signalled.
 */
final class LocalServices implements AutoCloseable {

    final Path dir;
    final int mariadbPort;
    final int etcdPort;
    final int zkPort;

    LocalServices() throws IOException {
        // under /tmp, world-traversable: mariadbd runs as the mysql user (a JUnit @TempDir is 0700)
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "hourglass-faults-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.mariadbPort = ServerProcess.freePort();
        this.etcdPort = ServerProcess.freePort();
        this.zkPort = ServerProcess.freePort();
    }

    /** The binaries this test needs (installed by scripts/test.sh's ensure_* functions), or why they are missing. */
    static String missingBinaries() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of("/usr/sbin/mariadbd")) && !onPath("mariadbd")) {
            missing.add("mariadbd");
        }
        if (!onPath("etcd")) {
            missing.add("etcd");
        }
        if (!Files.isReadable(Path.of("/usr/share/java/zookeeper.jar"))) {
            missing.add("/usr/share/java/zookeeper.jar");
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    static boolean onPath(String name) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, name))) {
                return true;
            }
        }
        return false;
    }

    /** A file of the repository ({@code relative} to its root), found from the working directory upwards. */
    static Path findAbove(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve(relative);
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    /** Runs {@code bash services.sh <function> [args]} on this test's services; fails on a non-zero exit. */
    void run(String... functionAndArgs) throws IOException {
        Map<String, String> env = new HashMap<>();
        System.getenv().keySet().stream().filter(k -> k.startsWith("_HG_") || k.startsWith("HG_"))
                .forEach(k -> env.put(k, null));
        env.put("HG_SERVICES_DIR", dir.toString());
        env.put("HG_MARIADB_PORT", Integer.toString(mariadbPort));
        env.put("HG_ETCD_PORT", Integer.toString(etcdPort));
        env.put("HG_ZK_PORT", Integer.toString(zkPort));
        if (functionAndArgs[0].startsWith("start_")) {
            env.put("_HG_MARIADB_KEEP_PORT", "1"); // our port or nothing: never drift onto another one
            env.put("_HG_ETCD_KEEP_PORT", "1");
            env.put("_HG_ZK_KEEP_PORT", "1");
        }
        String[] args = Arrays.copyOfRange(functionAndArgs, 1, functionAndArgs.length);
        ServicesScript.Result r = ServicesScript.run(env, functionAndArgs[0], 180, args);
        Files.writeString(dir.resolve("services.out"), r.output(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", functionAndArgs) + " failed (" + r.exitCode() + "): "
                    + r.output());
        }
    }

    /** Stops whatever of ours still runs (clean stop), then deletes the directory. */
    @Override
    public void close() throws Exception {
        for (String f : List.of("stop_zookeeper", "stop_etcd", "stop_mariadb")) {
            try {
                run(f);
            } catch (Exception e) {
                System.err.println("LocalServices: " + f + ": " + e);
            }
        }
        if (System.getProperty("hourglass.faults.keep") == null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
