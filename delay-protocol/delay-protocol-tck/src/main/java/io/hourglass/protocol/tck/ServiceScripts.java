package io.hourglass.protocol.tck;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a function of {@code scripts/lib/services.sh} (stop/start of the real server in failure tests). */
public final class ServiceScripts {

    private ServiceScripts() {
    }

    /**
     * Runs {@code bash scripts/lib/services.sh <function> [args]} and waits for it.
     *
     * @throws IllegalStateException when it exits with a failure (its output included)
     */
    public static void run(String function, int timeoutSeconds, String... args) {
        Path script = repoRoot().resolve("scripts/lib/services.sh");
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), function));
        command.addAll(List.of(args));
        Path out = null;
        try {
            out = Files.createTempFile("services-", ".log");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " " + function + " did not finish within " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(function + " failed (exit " + p.exitValue() + "):\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + " " + function, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + function, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // temp file
                }
            }
        }
    }

    /** The checkout's root: the first directory upwards that has scripts/lib/services.sh. */
    public static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/lib/services.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/lib/services.sh not found above " + Path.of("").toAbsolutePath());
    }

    /** The value of an environment variable the services script exports, or a failure that says how to get it. */
    public static String requiredEnv(String name, String service) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: no " + service + " to test against. scripts/test.sh"
                    + " starts one and sets it; by hand: bash scripts/lib/services.sh start_" + service
                    + ", then eval \"$(bash scripts/lib/services.sh " + service + "_env)\"");
        }
        return v;
    }
}
