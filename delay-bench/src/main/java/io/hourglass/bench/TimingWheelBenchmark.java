package io.hourglass.bench;

import io.hourglass.core.wheel.DueSink;
import io.hourglass.core.wheel.TimingWheel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * JMH benchmarks of {@link TimingWheel}, all in messages per second (one "op" is one message):
 * <ul>
 *   <li>{@code schedule}: 100,000 entries due at random times within 5 min filed into a fresh wheel (so bucket
 *       growth is included, as it is when the preloader fills the window);</li>
 *   <li>{@code advanceExpire}: a wheel holding 1,000,000 entries advanced in 1 ms steps until it is empty, i.e.
 *       expiry plus the cascades between levels; {@code spread} is the fireAt distribution: over the 5-minute
 *       window, or all within the same second (one minute ahead);</li>
 *   <li>{@code scheduleAdvanceSteady}: the wheel in a steady state near 750,000 entries: every 1 ms step advances
 *       time by 1 ms and files 5 new entries due uniformly within the next 5 min (5,000 msg/s, the load
 *       generator's default steady rate), so as many expire as are filed.</li>
 * </ul>
 * Time is simulated (the wheel never reads a clock), so a run covers minutes of wheel time in a second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class TimingWheelBenchmark {

    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final int WINDOW_MS = 300_000;
    static final int SCHEDULE_BATCH = 100_000;
    static final int FULL_WHEEL = 1_000_000;
    static final int STEADY_PER_MS = 5;

    /** Counts what the wheel hands out, so the work cannot be optimised away. */
    static final class CountingSink implements DueSink {
        long count;
        long checksum;

        @Override
        public void accept(long fireAt, long id) {
            count++;
            checksum += fireAt ^ id;
        }
    }

    @State(Scope.Thread)
    public static class ScheduleInput {
        final long[] fireAts = new long[SCHEDULE_BATCH];
        final long[] ids = new long[SCHEDULE_BATCH];

        @Setup(Level.Trial)
        public void generate() {
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < SCHEDULE_BATCH; i++) {
                fireAts[i] = T0 + 1 + random.nextInt(WINDOW_MS);
                ids[i] = random.nextLong() >>> 1;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(SCHEDULE_BATCH)
    public TimingWheel schedule(ScheduleInput in) {
        TimingWheel wheel = new TimingWheel(T0);
        for (int i = 0; i < SCHEDULE_BATCH; i++) {
            wheel.schedule(in.fireAts[i], in.ids[i]);
        }
        return wheel;
    }

    @State(Scope.Thread)
    public static class FullWheel {
        /** {@code window}: fireAt uniform over 5 min; {@code sameSecond}: all in one second, a minute ahead. */
        @Param({"window", "sameSecond"})
        public String spread;

        long[] fireAts;
        long[] ids;
        long end;
        TimingWheel wheel;

        @Setup(Level.Trial)
        public void generate() {
            fireAts = new long[FULL_WHEEL];
            ids = new long[FULL_WHEEL];
            SplittableRandom random = new SplittableRandom(2);
            boolean window = spread.equals("window");
            long from = window ? T0 + 1 : T0 + 60_000;
            int width = window ? WINDOW_MS : 1_000;
            for (int i = 0; i < FULL_WHEEL; i++) {
                fireAts[i] = from + random.nextInt(width);
                ids[i] = random.nextLong() >>> 1;
            }
            end = from + width;
        }

        @Setup(Level.Invocation)
        public void fill() {
            wheel = new TimingWheel(T0);
            for (int i = 0; i < FULL_WHEEL; i++) {
                wheel.schedule(fireAts[i], ids[i]);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(FULL_WHEEL)
    public long advanceExpire(FullWheel s) {
        CountingSink sink = new CountingSink();
        TimingWheel wheel = s.wheel;
        for (long now = T0 + 1; now <= s.end; now++) {
            wheel.advance(now, sink);
        }
        if (sink.count != FULL_WHEEL) {
            throw new IllegalStateException("expired " + sink.count + " of " + FULL_WHEEL);
        }
        return sink.checksum;
    }

    @State(Scope.Thread)
    public static class Steady {
        TimingWheel wheel;
        long now;
        long seed;
        final CountingSink sink = new CountingSink();

        @Setup(Level.Trial)
        public void prefill() {
            now = T0;
            wheel = new TimingWheel(now);
            SplittableRandom random = new SplittableRandom(3);
            // the equilibrium of "file uniformly within the window": remaining time d has density ~ (W - d)
            int entries = STEADY_PER_MS * WINDOW_MS / 2;
            for (int i = 0; i < entries; i++) {
                long d = 1 + (long) (WINDOW_MS * (1 - Math.sqrt(1 - random.nextDouble())));
                wheel.schedule(now + Math.min(d, WINDOW_MS), random.nextLong() >>> 1);
            }
            seed = random.nextLong() | 1;
        }
    }

    @Benchmark
    @OperationsPerInvocation(STEADY_PER_MS)
    public int scheduleAdvanceSteady(Steady s) {
        long now = ++s.now;
        s.wheel.advance(now, s.sink);
        long x = s.seed;
        for (int i = 0; i < STEADY_PER_MS; i++) {
            x ^= x << 13; // xorshift64: cheap enough not to dominate
            x ^= x >>> 7;
            x ^= x << 17;
            s.wheel.schedule(now + 1 + Long.remainderUnsigned(x, WINDOW_MS), x >>> 1);
        }
        s.seed = x;
        return s.wheel.size();
    }

    // ---------------------------------------------------------------- runner

    /**
     * Runs the benchmarks of this class (JMH options may be given, e.g. {@code -f 1 -wi 1 -i 1 -r 1s}), prints a
     * table and writes it to {@code <out-dir>/jmh-<UTC>.md}.
     */
    public static void main(String[] args) throws RunnerException, IOException {
        run(BenchReport.defaultOutputDir(), List.of(args));
    }

    static void run(Path outDir, List<String> jmhArgs) throws RunnerException, IOException {
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            System.err.println("jmh: " + e.getMessage() + " (see jmh -h)");
            System.exit(LoadGenerator.EXIT_USAGE);
            return;
        }
        if (cli.shouldHelp()) {
            System.out.println("Usage: java -jar delay-bench.jar jmh [JMH options] [--out-dir DIR]");
            System.out.println("Defaults: all TimingWheelBenchmark methods, 1 fork, 3 x 1 s warm-up, 3 x 1 s measured, -Xmx1g.\n");
            cli.showHelp();
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) {
            options.include(TimingWheelBenchmark.class.getName() + "\\.");
        }
        if (cli.shouldList()) {
            new Runner(options.build()).list();
            return;
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        report(results).publish(outDir, "jmh");
    }

    private static BenchReport report(Collection<RunResult> results) {
        MarkdownTable t = new MarkdownTable("Benchmark", "Params", "Score", "Error (99.9%)", "Unit", "ns per message");
        for (RunResult r : results) {
            var primary = r.getPrimaryResult();
            var params = r.getParams();
            String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            String p = params.getParamsKeys().stream().map(k -> k + "=" + params.getParam(k))
                    .collect(Collectors.joining(", "));
            double score = primary.getScore();
            String perOp = primary.getScoreUnit().equals("ops/s") && score > 0
                    ? BenchReport.decimal(1e9 / score, 1) : "";
            t.row(name, p.isEmpty() ? "-" : p, BenchReport.rate(score),
                    Double.isNaN(primary.getScoreError()) ? "n/a" : BenchReport.rate(primary.getScoreError()),
                    primary.getScoreUnit().replace("ops/s", "msg/s"), perOp);
        }
        RunResult any = results.isEmpty() ? null : results.iterator().next();
        String config = any == null ? "no results" : String.format(
                "forks %d, warm-up %d x %s, measurement %d x %s, JVM args %s",
                any.getParams().getForks(), any.getParams().getWarmup().getCount(), any.getParams().getWarmup().getTime(),
                any.getParams().getMeasurement().getCount(), any.getParams().getMeasurement().getTime(),
                any.getParams().getJvmArgs());
        return new BenchReport("TimingWheel micro benchmarks (JMH)")
                .paragraph("One op = one message. `schedule`: 100k random fireAt within 5 min into a fresh wheel. "
                        + "`advanceExpire`: a 1M-entry wheel advanced in 1 ms steps until empty. "
                        + "`scheduleAdvanceSteady`: 1 ms step + 5 new entries within 5 min, ~750k held. " + config + ".")
                .section("Results", t);
    }
}
