package io.hourglass.bootstrap.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * podman as {@code scripts/lib/image.sh hg_podman} runs it: with the settings a machine of our CI's kind needs (runc,
 * cgroupfs, the shell's resource limits), as root, no daemon.
 */
final class Podman {

    private final Path script = LocalServices.findAbove("scripts/lib/image.sh");
    private final Path log;

    /** @param log where every command and its output are appended (read it after a failure) */
    Podman(Path log) {
        this.log = log;
    }

    /** The binaries {@code scripts/lib/image.sh ensure_podman} installs, or null when they are there. */
    static String missingBinaries() {
        List<String> missing = new ArrayList<>();
        for (String b : List.of("podman", "runc")) {
            if (!LocalServices.onPath(b)) {
                missing.add(b);
            }
        }
        return missing.isEmpty() ? null : String.join(", ", missing)
                + " (scripts/test.sh installs them: source scripts/lib/image.sh && ensure_podman)";
    }

    /** Runs {@code podman args}; its standard output, trimmed. Fails on a non-zero exit, with the output. */
    String run(String... args) throws IOException, InterruptedException {
        Result r = tryRun(args);
        if (r.exit() != 0) {
            throw new IllegalStateException("podman " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.output());
        }
        return r.output();
    }

    record Result(int exit, String output) {
    }

    /** Runs {@code podman args}; its exit code and standard output (trimmed); standard error goes to the log only. */
    Result tryRun(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "hg_podman"));
        cmd.addAll(List.of(args));
        Files.writeString(log, "$ podman " + String.join(" ", args) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("podman " + String.join(" ", args) + " did not finish; see " + log);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        Files.writeString(log, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        return new Result(p.exitValue(), text.trim());
    }
}
