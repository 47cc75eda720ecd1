package io.hourglass.bench;

import java.util.Arrays;

/**
 * Entry point of {@code delay-bench.jar}: {@code load ...} (load generator against a running server),
 * {@code jmh ...} (timing wheel micro benchmarks), {@code heap ...} (heap per in-window message) or
 * {@code codecs ...} (Kafka compression codecs per record).
 */
public final class BenchMain {

    private static final String USAGE = """
            Usage: java -jar delay-bench.jar <command> [options]

              load --scenario accept|burst|steady ...   drive a running server on this machine (load --help)
              jmh [JMH options]                         TimingWheel micro benchmarks (jmh -h)
              heap [--entries N] ...                    heap bytes per in-window message (heap --help)
              codecs [--records-per-batch N] ...        CPU and bytes per record of each Kafka codec (codecs --help)

            Every command prints a Markdown table and writes it under docs/benchmarks/ (or --out-dir).
            """;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? LoadGenerator.EXIT_USAGE : LoadGenerator.EXIT_OK);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "load" -> System.exit(LoadGenerator.run(rest));
            case "jmh" -> TimingWheelBenchmark.main(rest);
            case "heap" -> System.exit(HeapPerMessage.run(rest));
            case "codecs" -> System.exit(KafkaCodecs.run(rest));
            default -> {
                System.err.println("unknown command '" + args[0] + "'\n");
                System.err.print(USAGE);
                System.exit(LoadGenerator.EXIT_USAGE);
            }
        }
    }
}
