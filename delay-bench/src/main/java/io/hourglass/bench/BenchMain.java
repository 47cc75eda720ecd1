package io.hourglass.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Entry point of {@code delay-bench.jar}: {@code load ...} (load generator against a running server),
 * {@code jmh ...} (timing wheel micro benchmarks), {@code heap ...} (heap per in-window message) or
 * {@code codecs ...} (Kafka compression codecs per record).
 */
@Command(name = "delay-bench", usageHelpWidth = 118,
        customSynopsis = "java -jar delay-bench.jar <command> [options]",
        subcommands = {LoadOptions.LoadCommand.class, BenchMain.Jmh.class, HeapPerMessage.HeapCommand.class,
                KafkaCodecs.CodecsCommand.class},
        commandListHeading = "%nCommands (<command> --help for its options):%n",
        footer = {"", "Every command prints a Markdown table and writes it under docs/benchmarks/ (or --out-dir)."})
public final class BenchMain implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.run(new BenchMain(), args));
    }

    /** No command given: the usage, and a bad command line. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return LoadGenerator.EXIT_USAGE;
    }

    /** {@code jmh}: JMH's own options pass through ({@code jmh -h} lists them), plus {@code --out-dir}. */
    @Command(name = "jmh", description = "TimingWheel micro benchmarks (JMH options pass through: jmh -h)")
    static final class Jmh implements Callable<Integer> {
        @Option(names = "--out-dir", paramLabel = "DIR", description = "where the report goes [docs/benchmarks of the repository]")
        Path outDir;

        @Unmatched
        List<String> jmhArgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            TimingWheelBenchmark.run(outDir == null ? BenchReport.defaultOutputDir() : outDir, jmhArgs);
            return LoadGenerator.EXIT_OK;
        }
    }
}
