package io.hourglass.bench;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * What each Kafka compression codec costs per record of the shape Hourglass emits (a JSON payload of ~200 bytes,
 * a key, the {@code x-delay-*} headers): CPU to build the batches as the producer does ({@link MemoryRecordsBuilder},
 * record format v2) and to read them back as the broker does to validate a batch and a consumer does to fetch it,
 * and the bytes per record. CPU is the thread's own CPU time, which other load on a shared machine disturbs far
 * less than wall time. The figures behind the default {@code delay.message.kafka.compression=gzip}
 * (docs/configuration.md).
 */
final class KafkaCodecs {

    /** {@code codecs}: the options, checked, then {@link #run}. */
    @Command(name = "codecs", description = "CPU and bytes per record of each Kafka codec (none, gzip, gzip level 1, "
            + "snappy, lz4, zstd): builds record batches of Hourglass-shaped records and reads them back, in one "
            + "thread; thread CPU time; the last round is reported")
    static final class CodecsCommand implements Callable<Integer> {
        @Option(names = "--records-per-batch", paramLabel = "N", description = "records in one batch [100]")
        Integer perBatch;
        @Option(names = "--batches", paramLabel = "N", description = "batches per codec and round [5000]")
        Integer batches;
        @Option(names = "--rounds", paramLabel = "N", description = "rounds; the earlier ones warm the JIT up [4]")
        Integer rounds;
        @Mixin
        Cli.Common common = new Cli.Common();

        @Override
        public Integer call() {
            return run(Cli.range("--records-per-batch", perBatch, 100, 1, 10_000),
                    Cli.range("--batches", batches, 5_000, 1, 1_000_000), Cli.range("--rounds", rounds, 4, 1, 100),
                    common.outDir());
        }
    }

    private static final long T0 = 1_764_700_000_000L;
    private static final int DECODED_BATCHES = 200;

    private KafkaCodecs() {
    }

    record Result(String codec, double compressMicros, double decompressMicros, double bytesPerRecord) {
    }

    static int run(int perBatch, int batches, int rounds, Path outDir) {
        List<byte[][]> records = records(perBatch * 64);
        List<Result> results = List.of();
        for (int round = 1; round <= rounds; round++) {
            results = new ArrayList<>();
            for (Map.Entry<String, Compression> codec : codecs().entrySet()) {
                results.add(measure(codec.getKey(), codec.getValue(), records, perBatch, batches));
            }
            System.out.printf("round %d of %d done%n", round, rounds);
        }
        MarkdownTable t = new MarkdownTable("codec", "compress µs/record", "decompress µs/record", "bytes/record");
        for (Result r : results) {
            t.row(r.codec(), BenchReport.decimal(r.compressMicros(), 2), BenchReport.decimal(r.decompressMicros(), 2),
                    BenchReport.decimal(r.bytesPerRecord(), 1));
        }
        BenchReport report = new BenchReport("Kafka compression codecs, per Hourglass record")
                .paragraph("Batches of " + perBatch + " records (key `order-NNNNNN`, a ~200-byte JSON payload, headers "
                        + "`x-delay-id`, `x-delay-deliver-at`, `x-delay-app-key`, `tenant`), record format v2, "
                        + BenchReport.count(batches) + " batches per codec; round " + rounds + " of " + rounds
                        + ". Compress = building the batches as the producer does; decompress = iterating every "
                        + "record of them, as the broker does to validate a compressed batch and a consumer to read "
                        + "it. Thread CPU time.")
                .section("Results", t);
        try {
            report.publish(outDir, "codecs");
        } catch (java.io.IOException e) {
            System.err.println("codecs: cannot write the report: " + e.getMessage());
            return LoadGenerator.EXIT_FAILURES;
        }
        return LoadGenerator.EXIT_OK;
    }

    private static Map<String, Compression> codecs() {
        Map<String, Compression> codecs = new LinkedHashMap<>();
        codecs.put("none", Compression.NONE);
        codecs.put("gzip", Compression.gzip().build());
        codecs.put("gzip, level 1", Compression.gzip().level(1).build());
        codecs.put("snappy", Compression.snappy().build());
        codecs.put("lz4", Compression.lz4().build());
        codecs.put("zstd", Compression.zstd().build());
        return codecs;
    }

    /** Keys and values of {@code n} distinct records: the same JSON shape with different figures, as orders are. */
    private static List<byte[][]> records(int n) {
        SplittableRandom random = new SplittableRandom(42);
        List<byte[][]> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String key = "order-" + (100_000 + random.nextInt(900_000));
            String value = "{\"orderId\":\"" + key + "\",\"userId\":" + random.nextInt(10_000_000)
                    + ",\"action\":\"cancel-unpaid-order\",\"amount\":" + random.nextInt(100_000) / 100.0
                    + ",\"currency\":\"EUR\",\"createdAt\":" + (T0 + random.nextInt(1 << 30))
                    + ",\"note\":\"" + Long.toHexString(random.nextLong()) + "\"}";
            records.add(new byte[][]{key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)});
        }
        return records;
    }

    private static Result measure(String name, Compression codec, List<byte[][]> records, int perBatch, int batches) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<MemoryRecords> kept = new ArrayList<>();
        long bytes = 0;
        long started = threads.getCurrentThreadCpuTime();
        for (int b = 0; b < batches; b++) {
            MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(perBatch * 512 + 1024),
                    RecordBatch.MAGIC_VALUE_V2, codec, TimestampType.CREATE_TIME, 0L);
            for (int r = 0; r < perBatch; r++) {
                long n = (long) b * perBatch + r;
                byte[][] kv = records.get((int) (n % records.size()));
                builder.append(T0 + b, kv[0], kv[1], headers(386_941_864_630_026_240L + n, T0 + b));
            }
            MemoryRecords built = builder.build();
            bytes += built.sizeInBytes();
            if (kept.size() < DECODED_BATCHES) {
                kept.add(built);
            }
        }
        long compressed = threads.getCurrentThreadCpuTime() - started;
        int passes = Math.max(1, batches / DECODED_BATCHES);
        long seen = 0;
        long checksum = 0;
        started = threads.getCurrentThreadCpuTime();
        for (int pass = 0; pass < passes; pass++) {
            for (MemoryRecords batch : kept) {
                for (RecordBatch rb : batch.batches()) {
                    for (Record r : rb) {
                        checksum += r.keySize() + r.valueSize() + r.headers().length;
                        seen++;
                    }
                }
            }
        }
        long decompressed = threads.getCurrentThreadCpuTime() - started;
        if (checksum == 0) {
            throw new IllegalStateException("no record read back");
        }
        long total = (long) batches * perBatch;
        return new Result(name, compressed / 1_000.0 / total, decompressed / 1_000.0 / seen, (double) bytes / total);
    }

    private static Header[] headers(long id, long deliverAt) {
        return new Header[]{
                new RecordHeader("x-delay-id", Long.toString(id).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("x-delay-deliver-at", Long.toString(deliverAt).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("x-delay-app-key", "demo".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("tenant", "acme".getBytes(StandardCharsets.UTF_8))};
    }
}
