package io.hourglass.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.util.Map;

/**
 * A real server that tests run against, started by {@code scripts/lib/services.sh} ({@code scripts/test.sh} starts
 * them all) and found through the environment variable it exports.
 *
 * <p>The rule, the same for every server and every module (docs/architecture.md, Testing): a test that needs a server
 * whose variable is not set <b>fails</b> and says how to start it, unless {@code HOURGLASS_SKIP_SERVICES=1} is set,
 * which skips it. A server is restarted or killed by a test only when this checkout's script started it
 * ({@link #managedHere()}); a test that needs that is skipped otherwise (a server of someone else's is not ours to
 * kill).
 */
public enum TestService {
    MARIADB("mariadb", "HOURGLASS_MARIADB_URL", 180),
    KAFKA("kafka", "HOURGLASS_KAFKA_BOOTSTRAP", 180),
    CASSANDRA("cassandra", "HOURGLASS_CASSANDRA_CONTACT", 300),
    ETCD("etcd", "HOURGLASS_ETCD_ENDPOINTS", 120),
    ZOOKEEPER("zookeeper", "HOURGLASS_ZK_CONNECT", 120),
    REDIS("redis", "HOURGLASS_REDIS_ADDRESS", 60);

    /** Set to 1: tests that need a server that is not there are skipped instead of failing. */
    public static final String SKIP_ENV = "HOURGLASS_SKIP_SERVICES";

    private final String script;
    private final String env;
    private final int timeoutSeconds;

    TestService(String script, String env, int timeoutSeconds) {
        this.script = script;
        this.env = env;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Its name in {@code scripts/lib/services.sh} ({@code start_<name>}, {@code <name>_env}). */
    public String scriptName() {
        return script;
    }

    /** The variable that says where it is ({@code HOURGLASS_ETCD_ENDPOINTS}, ...). */
    public String envName() {
        return env;
    }

    /** Whether its variable is set. */
    public boolean available() {
        String v = System.getenv(env);
        return v != null && !v.isBlank();
    }

    /** Whether tests that need a missing server are to be skipped ({@value #SKIP_ENV}=1). */
    public static boolean skipMissing() {
        return "1".equals(System.getenv(SKIP_ENV));
    }

    /** Why it is missing and how to get it. */
    public String missingMessage() {
        return env + " is not set: no " + script + " to test against. scripts/test.sh starts one and sets it; by hand:"
                + " bash scripts/lib/services.sh start_" + script + " && eval \"$(bash scripts/lib/services.sh "
                + script + "_env)\"; or " + SKIP_ENV + "=1 to skip the tests that need it";
    }

    /**
     * The value of its variable (trimmed). Missing: a failure that says how to start it, or with {@value #SKIP_ENV}=1
     * an aborted (skipped) test.
     */
    public String address() {
        if (!available()) {
            if (skipMissing()) {
                Assumptions.abort(missingMessage());
            }
            throw new IllegalStateException(missingMessage());
        }
        return System.getenv(env).trim();
    }

    /** True when it runs and was started by this checkout's {@code scripts/lib/services.sh}, so it may be restarted. */
    public boolean managedHere() {
        return available() && ServicesScript.run(Map.of(), script + "_running", 30).exitCode() == 0;
    }

    /** Skips the calling test unless {@link #managedHere()}: a server of someone else's is not restarted or killed. */
    public void assumeManagedHere() {
        Assumptions.assumeTrue(managedHere(), () -> "the " + script + " at " + env + " was not started by"
                + " scripts/lib/services.sh of this checkout: not restarted or killed");
    }

    /** Stops it and starts it on the same data and port; {@code kill}: SIGKILL (a crash) instead of a clean stop. */
    public void restart(boolean kill) {
        if (kill) {
            ServicesScript.require("restart_" + script, timeoutSeconds, "--kill");
        } else {
            ServicesScript.require("restart_" + script, timeoutSeconds);
        }
    }

    /** Stops it (a clean stop); {@link #start()} brings it back on the same data and port. */
    public void stop() {
        ServicesScript.require("stop_" + script, timeoutSeconds);
    }

    /** Starts it (again) and waits until it serves. */
    public void start() {
        ServicesScript.require("start_" + script, timeoutSeconds);
    }
}
