package io.hourglass.bench;

import io.hourglass.core.clock.DelayClock;
import io.hourglass.core.model.MessageIds;
import io.hourglass.core.wheel.DueSink;
import io.hourglass.core.wheel.TimingWheel;
import io.hourglass.core.wheel.WheelTimer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Heap held per in-window message by the timing wheel, measured two ways:
 * <ol>
 *   <li>(a) structure: {@link TimingWheel#bucketBytes()} / size (the {@code long[]} bucket arrays, growth slack
 *       included), and JOL's {@code GraphLayout.parseInstance(wheel).totalSize()} / size (everything reachable:
 *       arrays, bucket list objects, level tables);</li>
 *   <li>(b) used heap after {@code System.gc()} with the wheel filled minus before, / size.</li>
 * </ol>
 * The wheel is filled as the preloader fills it: {@value #SLOTS} slots one after another, each slot's messages in
 * fireAt order, fireAt uniform over the window; and, as a second case, all due within the same second (which is
 * also measured after the wheel has cascaded them into 1 ms buckets). Target: at most 32 B per message.
 */
final class HeapPerMessage {

    static final double TARGET_BYTES = 32;
    private static final int SLOTS = 64;
    private static final long T0 = 1_767_225_600_000L;

    /** The {@code heap} command line. */
    @Command(name = "heap", sortOptions = false, usageHelpWidth = 118,
            header = "Heap bytes per in-window message of the timing wheel.",
            customSynopsis = "java -jar delay-bench.jar heap [options]",
            description = {"",
                "Fills a TimingWheel and a WheelTimer (driver not started) with in-window entries and prints the",
                "retained heap per entry: (a) bucketBytes()/size and JOL GraphLayout totalSize()/size,",
                "(b) used-heap difference after System.gc(). Target: <= 32 B per in-window message.", ""},
            footer = {"",
                "JOL reads object sizes without an agent; for exact figures it may want",
                "-Djdk.attach.allowAttachSelf=true (and -XX:+EnableDynamicAgentLoading on JDK 21+). Run with a fixed heap",
                "for stable numbers, e.g. java -Xms2g -Xmx2g -jar delay-bench.jar heap"})
    static final class HeapCommand implements Callable<Integer> {
        @Option(names = "--entries", paramLabel = "N", description = "entries per case [1000000]; k/m suffixes allowed")
        Integer entries;
        @Option(names = "--window-ms", paramLabel = "MS", description = "width of the preload window [300000]")
        Long windowMs;
        @Option(names = "--structure", paramLabel = "S", description = "wheel | timer | both [both]")
        String structure;
        @Option(names = "--spread", paramLabel = "S", description = "window | second | both [both]")
        String spread;
        @Option(names = "--no-jol", description = "skip the JOL measurement")
        boolean noJol;
        @Mixin
        Cli.Common common = new Cli.Common();

        @Override
        public Integer call() {
            int n = Cli.range("--entries", entries, 1_000_000, 1, 100_000_000);
            long window = Cli.range("--window-ms", windowMs, 300_000, 1_000, 3_600_000);
            String s = Cli.choice("--structure", structure, "both", List.of("wheel", "timer", "both"));
            String d = Cli.choice("--spread", spread, "both", List.of("window", "second", "both"));
            return run(n, window, s.equals("both") ? List.of("wheel", "timer") : List.of(s),
                    d.equals("both") ? List.of("window", "second") : List.of(d), noJol,
                    common.outDir());
        }
    }

    private HeapPerMessage() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(new HeapCommand(), args));
    }

    static int run(int entries, long window, List<String> structures, List<String> spreads, boolean noJol,
                   Path outDir) {
        Jol jol = noJol ? Jol.disabled("skipped (--no-jol)") : Jol.load();

        MarkdownTable t = new MarkdownTable("Structure", "fireAt spread", "Entries", "bucket arrays B/msg",
                "JOL total B/msg", "bucket lists", "humongous arrays", "used-heap diff B/msg", "<= 32 B?");
        for (String structure : structures) {
            for (String spread : spreads) {
                for (Measurement m : measure(structure, spread, entries, window, jol)) {
                    System.out.println("heap: " + m);
                    t.row(m.structure, m.spread, BenchReport.count(m.entries), bytes(m.bucketBytes, m.entries),
                            m.jolBytes < 0 ? "n/a" : bytes(m.jolBytes, m.entries),
                            m.lists < 0 ? "n/a" : BenchReport.count(m.lists),
                            m.humongous < 0 ? "n/a" : BenchReport.count(m.humongous),
                            bytes(m.heapDiff, m.entries), verdict(m));
                }
            }
        }
        BenchReport report = new BenchReport("Heap per in-window message")
                .paragraph("Entries are filed like the preloader does: " + SLOTS + " slots one after another, each "
                        + "in fireAt order; `window` = fireAt uniform over " + window + " ms, `second` = all within "
                        + "one second a minute ahead; `second, cascaded` = the same after the wheel's time reached "
                        + "that second (level-1 bucket re-filed into 1 ms buckets). Bucket arrays = "
                        + "bucketBytes()/size; JOL total = GraphLayout.parseInstance(...).totalSize()/size, which "
                        + "adds the list objects and level tables; used-heap diff = heap used after System.gc() with "
                        + "the structure filled minus before. Target <= " + (int) TARGET_BYTES + " B.")
                .section("Results", t)
                .paragraph("Humongous arrays = bucket arrays of at least half a G1 region: G1 gives each its own "
                        + "regions and does not move it, which is where a used-heap figure above the JOL figure "
                        + "comes from (compare with -XX:+UseParallelGC or a larger -XX:G1HeapRegionSize).")
                .paragraph("JOL: " + jol.status() + ". GC: " + gcNames() + (g1RegionBytes() > 0 ? ", G1 region " + (g1RegionBytes() >> 20) + " MiB" : "")
                        + vmFlag("UseCompressedOops", ", compressed oops ") + ".");
        try {
            report.publish(outDir, "heap");
        } catch (java.io.IOException e) {
            System.err.println("heap: cannot write the report: " + e.getMessage());
            return LoadGenerator.EXIT_FAILURES;
        }
        return LoadGenerator.EXIT_OK;
    }

    private record Measurement(String structure, String spread, int entries, long bucketBytes, long jolBytes,
                               long lists, long humongous, long heapDiff) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s/%s: %d entries, buckets %.2f B, JOL %s B, heap %.2f B per entry",
                    structure, spread, entries, bucketBytes / (double) entries,
                    jolBytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", jolBytes / (double) entries),
                    heapDiff / (double) entries);
        }
    }

    /** One case; the {@code second} spread also yields the cascaded measurement. */
    private static List<Measurement> measure(String structure, String spread, int n, long window, Jol jol) {
        long[] fireAts = new long[n];
        long[] ids = new long[n];
        long dueSecond = generate(spread, n, window, fireAts, ids);

        long before = usedAfterGc();
        TimingWheel wheel;
        WheelTimer timer = null;
        if (structure.equals("wheel")) {
            wheel = new TimingWheel(T0);
            for (int i = 0; i < n; i++) {
                wheel.schedule(fireAts[i], ids[i]);
            }
        } else {
            timer = new WheelTimer(fixedClock()); // no driver: nothing fires while measured
            for (int i = 0; i < n; i++) {
                timer.schedule(fireAts[i], ids[i]);
            }
            wheel = wheelOf(timer);
        }
        long after = usedAfterGc();
        Object root = timer != null ? timer : wheel;
        long[] layout = jol.parse(root, timer);
        Measurement first = new Measurement(structure, spread, n, wheel == null ? -1 : wheel.bucketBytes(),
                layout[0], layout[1], layout[2], after - before);
        if (!spread.equals("second") || !structure.equals("wheel")) {
            Reference.reachabilityFence(fireAts);
            Reference.reachabilityFence(ids);
            Reference.reachabilityFence(root);
            return List.of(first);
        }
        // move time to the start of the level-1 tick that holds the second: its bucket cascades into 1 ms buckets
        long[] expired = new long[1];
        DueSink count = (f, id) -> expired[0]++;
        wheel.advance((dueSecond >>> 10) << 10, count);
        long cascaded = usedAfterGc();
        int held = wheel.size();
        long[] cascadedLayout = jol.parse(wheel, null);
        Measurement second = new Measurement(structure, spread + ", cascaded", held, wheel.bucketBytes(),
                cascadedLayout[0], cascadedLayout[1], cascadedLayout[2], cascaded - before);
        Reference.reachabilityFence(fireAts);
        Reference.reachabilityFence(ids);
        Reference.reachabilityFence(wheel);
        return List.of(first, second);
    }

    /** Fills the inputs in preload order; returns the start of the due second for the {@code second} spread. */
    private static long generate(String spread, int n, long window, long[] fireAts, long[] ids) {
        SplittableRandom random = new SplittableRandom(7);
        MessageIds idMaker = new MessageIds();
        // the due second starts on a level-1 tick (1,024 ms) about a minute ahead, so it sits in one bucket
        long dueSecond = ((T0 + 60_000) >>> 10) << 10;
        int at = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            int count = n / SLOTS + (slot < n % SLOTS ? 1 : 0);
            int from = at;
            for (int i = 0; i < count; i++) {
                fireAts[at] = spread.equals("window") ? T0 + 1 + random.nextLong(window) : dueSecond + random.nextInt(1_000);
                ids[at] = idMaker.next(slot, T0 - 3_600_000);
                at++;
            }
            Arrays.sort(fireAts, from, at); // the preloader scans a slot in (fireAt, id) order
        }
        return dueSecond;
    }

    private static DelayClock fixedClock() {
        return () -> T0;
    }

    /** The timer's wheel, for bucketBytes(); null when reflection is not allowed. */
    private static TimingWheel wheelOf(WheelTimer timer) {
        try {
            Field f = WheelTimer.class.getDeclaredField("wheel");
            f.setAccessible(true);
            return (TimingWheel) f.get(timer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("heap: cannot read WheelTimer.wheel (" + e + "); bucket bytes n/a");
            return null;
        }
    }

    static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) { // a few full collections, until the figure stops falling
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                break;
            }
            used = now;
        }
        return used;
    }

    private static String bytes(long total, int entries) {
        return total < 0 ? "n/a" : BenchReport.decimal(total / (double) entries, 2);
    }

    private static String verdict(Measurement m) {
        double worst = Math.max(m.heapDiff, m.jolBytes) / (double) m.entries;
        return worst <= TARGET_BYTES ? "yes" : "**no**";
    }

    private static String gcNames() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(" / "));
    }

    /** G1's region size in bytes, or -1 when G1 is not the collector. */
    static long g1RegionBytes() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (!"true".equals(bean.getVMOption("UseG1GC").getValue())) {
                return -1;
            }
            return Long.parseLong(bean.getVMOption("G1HeapRegionSize").getValue());
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    private static String vmFlag(String name, String label) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return label + bean.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    /** JOL, loaded lazily and failing soft: a missing agent or a refused attach only costs the JOL column. */
    private static final class Jol {
        private final boolean enabled;
        private final String status;

        private Jol(boolean enabled, String status) {
            this.enabled = enabled;
            this.status = status;
        }

        static Jol disabled(String why) {
            return new Jol(false, why);
        }

        static Jol load() {
            try {
                String details = org.openjdk.jol.vm.VM.current().details();
                String summary = details.lines().filter(l -> l.contains("VM mode") || l.contains("Compressed references")
                        || l.contains("Object alignment")).map(String::trim).collect(Collectors.joining("; "));
                return new Jol(true, "GraphLayout.parseInstance(...).totalSize()" + (summary.isEmpty() ? "" : " [" + summary + "]"));
            } catch (Throwable t) {
                System.err.println("heap: JOL unavailable (" + t + "); try -Djdk.attach.allowAttachSelf=true "
                        + "(and -XX:+EnableDynamicAgentLoading on JDK 21+). Continuing without it.");
                return disabled("unavailable: " + t.getClass().getSimpleName());
            }
        }

        String status() {
            return status;
        }

        /**
         * {total bytes, LongPairList count, objects of at least half a G1 region} reachable from {@code root}; for a
         * timer only its wheel and ready queue (not its thread). -1 for what is unknown (JOL off or failing, not G1).
         */
        long[] parse(Object root, WheelTimer timer) {
            Object[] roots = roots(root, timer);
            if (!enabled || roots == null) {
                return new long[] {-1, -1, -1};
            }
            try {
                var layout = org.openjdk.jol.info.GraphLayout.parseInstance(roots);
                long lists = layout.getClasses().stream().filter(c -> c.getSimpleName().equals("LongPairList"))
                        .mapToLong(c -> layout.getClassCounts().count(c)).sum();
                long region = g1RegionBytes();
                long humongous = region <= 0 ? -1 : layout.addresses().stream()
                        .filter(address -> layout.record(address).size() >= region / 2).count();
                return new long[] {layout.totalSize(), lists, humongous};
            } catch (Throwable t) {
                System.err.println("heap: JOL failed on " + root.getClass().getSimpleName() + ": " + t);
                return new long[] {-1, -1, -1};
            }
        }

        private static Object[] roots(Object root, WheelTimer timer) {
            if (timer == null) {
                return new Object[] {root};
            }
            try {
                Field wheel = WheelTimer.class.getDeclaredField("wheel");
                Field ready = WheelTimer.class.getDeclaredField("ready");
                wheel.setAccessible(true);
                ready.setAccessible(true);
                return new Object[] {wheel.get(timer), ready.get(timer)};
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }
}
