package io.hourglass.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one function of {@code scripts/lib/services.sh} ({@code restart_mariadb --kill}, {@code etcd_running}, ...) as
 * {@code bash scripts/lib/services.sh <function> [args]} and waits for it. Its output goes to a file, never to a
 * pipe: a server it starts keeps no descriptor of this JVM open.
 */
public final class ServicesScript {

    /** Exit status and output (stdout and stderr) of one run. */
    public record Result(int exitCode, String output) {
    }

    private ServicesScript() {
    }

    /** Runs {@code function} in this JVM's environment; fails when it exits with a failure (its output included). */
    public static void require(String function, int timeoutSeconds, String... args) {
        Result r = run(Map.of(), function, timeoutSeconds, args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(function + " " + String.join(" ", args) + " failed (exit " + r.exitCode()
                    + "):\n" + r.output());
        }
    }

    /**
     * Runs {@code function} with {@code env} on top of this JVM's environment (a value of null removes the variable).
     *
     * @throws IllegalStateException when it does not finish within {@code timeoutSeconds} or cannot be started
     */
    public static Result run(Map<String, String> env, String function, int timeoutSeconds, String... args) {
        Path script = repoRoot().resolve("scripts/lib/services.sh");
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), function));
        command.addAll(List.of(args));
        Path out = null;
        try {
            out = Files.createTempFile("services-", ".log");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            env.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " " + function + " did not finish within " + timeoutSeconds
                        + " s:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
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
                    // a temporary file
                }
            }
        }
    }

    /** The checkout's root: the first directory upwards from the working directory that has the script. */
    public static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/lib/services.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/lib/services.sh not found above " + Path.of("").toAbsolutePath());
    }
}
