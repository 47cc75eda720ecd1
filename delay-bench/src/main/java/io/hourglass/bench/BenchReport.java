package io.hourglass.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The result of one benchmark run as a Markdown document: printed to stdout and written to
 * {@code <out-dir>/<name>-<UTC timestamp>.md} (by default {@code docs/benchmarks/} of the repository).
 */
final class BenchReport {

    private static final DateTimeFormatter FILE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final StringBuilder body = new StringBuilder();
    private final Instant started = Instant.now();

    BenchReport(String title) {
        body.append("# ").append(title).append("\n\n");
        body.append("Run at ").append(started).append(" on ").append(environment()).append(".\n\n");
    }

    BenchReport section(String heading, MarkdownTable table) {
        body.append("## ").append(heading).append("\n\n").append(table.render()).append('\n');
        return this;
    }

    BenchReport paragraph(String text) {
        body.append(text).append("\n\n");
        return this;
    }

    String render() {
        return body.toString();
    }

    /** Prints the report and writes it as {@code <name>-<timestamp>.md} under {@code dir}; returns the file. */
    Path publish(Path dir, String name) throws IOException {
        String text = render();
        System.out.println();
        System.out.print(text);
        Files.createDirectories(dir);
        Path file = dir.resolve(name + "-" + FILE_STAMP.format(started) + ".md");
        Files.writeString(file, text);
        System.out.println("Written to " + file.toAbsolutePath().normalize());
        return file;
    }

    /**
     * {@code docs/benchmarks} of the Hourglass repository that holds the working directory (found by walking up to
     * the directory with {@code pom.xml} and {@code delay-bench/}), or of the working directory itself.
     */
    static Path defaultOutputDir() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("delay-bench"))) {
                return dir.resolve("docs").resolve("benchmarks");
            }
        }
        return cwd.resolve("docs").resolve("benchmarks");
    }

    static String environment() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "Java %s (%s), %d CPUs, max heap %d MiB, %s %s",
                System.getProperty("java.version"), System.getProperty("java.vm.name"), rt.availableProcessors(),
                rt.maxMemory() >> 20, System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    // ---- number formatting shared by the programs ----

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    static String millis(double ms) {
        return ms >= 100 ? String.format(Locale.ROOT, "%,.0f", ms) : String.format(Locale.ROOT, "%.2f", ms);
    }

    static String nanosAsMillis(long nanos) {
        return millis(nanos / 1e6);
    }

    static String decimal(double value, int places) {
        return String.format(Locale.ROOT, "%,." + places + "f", value);
    }
}
