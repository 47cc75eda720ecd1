package io.hourglass.bench;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What the command lines of the bench share, on top of picocli: running a command with one way of reporting a
 * wrong command line ({@code load: <what> (see --help)}, exit status 2), counts with {@code k}/{@code m} suffixes,
 * range and choice checks whose messages name the option.
 */
final class Cli {

    private Cli() {
    }

    /** The options every command has: where the report goes, and the help. */
    static final class Common {
        @Option(names = "--out-dir", paramLabel = "DIR", description = "where the report goes [docs/benchmarks of the repository]")
        Path outDir;
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        Path outDir() {
            return outDir == null ? BenchReport.defaultOutputDir() : outDir;
        }
    }

    /** A wrong command line found after parsing: the message says what and is meant for the user as is. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code command} (a picocli {@code @Command} that is a {@code Callable<Integer>}) on {@code args} and
     * returns its exit status: the command's own, 0 after {@code --help}, {@link LoadGenerator#EXIT_USAGE} for a
     * wrong command line.
     */
    static int run(Object command, String... args) {
        CommandLine cli = commandLine(command);
        cli.setParameterExceptionHandler((e, argv) -> usageError(e.getCommandLine(), e.getMessage()));
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof UsageException) {
                return usageError(c, e.getMessage());
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** The picocli command line of {@code command}: case-sensitive, counts converted, one value per option. */
    static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.registerConverter(Long.class, Cli::parseCount);
        cli.registerConverter(Long.TYPE, Cli::parseCount);
        cli.registerConverter(Integer.class, Cli::parseIntCount);
        cli.registerConverter(Integer.TYPE, Cli::parseIntCount);
        return cli;
    }

    private static int usageError(CommandLine c, String message) {
        PrintWriter err = c.getErr();
        err.println(c.getCommandName() + ": " + message + " (see --help)");
        err.flush();
        return LoadGenerator.EXIT_USAGE;
    }

    /** A whole number with optional {@code _} separators and a k/m suffix (1k = 1000, 1m = 1000000). */
    static long parseCount(String text) {
        String t = text.trim().replace("_", "").toLowerCase();
        long factor = 1;
        if (t.endsWith("k")) {
            factor = 1_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            factor = 1_000_000;
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException("must be a whole number, got '" + text + "'");
        }
    }

    private static int parseIntCount(String text) {
        long v = parseCount(text);
        if (v != (int) v) {
            throw new CommandLine.TypeConversionException("must be at most " + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v;
    }

    /** {@code value}, or {@code fallback} when the option was not given, checked to lie in {@code [min, max]}. */
    static long range(String option, Long value, long fallback, long min, long max) {
        long v = value == null ? fallback : value;
        if (v < min || v > max) {
            throw new UsageException(option + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    static int range(String option, Integer value, int fallback, int min, int max) {
        return (int) range(option, value == null ? null : (long) value, fallback, min, max);
    }

    /** {@code value} (or {@code fallback}), which must be one of {@code choices} (case-sensitive). */
    static String choice(String option, String value, String fallback, List<String> choices) {
        String v = value == null ? fallback : value;
        if (!choices.contains(v)) {
            throw new UsageException(option + " must be one of " + String.join("|", choices) + ", got '" + v + "'");
        }
        return v;
    }
}
