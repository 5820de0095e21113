package io.drover.job.builtin;

import io.drover.job.local.JobResult;
import io.drover.job.local.LocalRunner;
import io.drover.job.local.LocalRunnerConfig;
import io.drover.job.plan.PlanOptions;
import io.drover.job.serde.ByteBuf;
import io.drover.job.shuffle.ShuffleConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Sorts more 100-byte records than the heap holds and checks the output by streaming it: every key
 * at least the previous one, and as many bytes and records as the input, with the same checksum of
 * records (order-independent). Not a test: run by hand with a small heap, e.g.
 * {@code java -Xmx256m -cp ... io.drover.job.builtin.SortLargerThanHeap 5000000 16}: records, sort
 * buffer MiB.
 */
public final class SortLargerThanHeap {

    public static void main(String[] args) throws Exception {
        int records = Integer.parseInt(args[0]);
        long bufferMb = Long.parseLong(args[1]);
        Path dir = Files.createTempDirectory("drover-sort-large");
        try {
            Path in = dir.resolve("in.txt");
            long inputSum = 0;
            Random random = new Random(9);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(in), 1 << 20)) {
                byte[] rec = new byte[100];
                for (int i = 0; i < records; i++) {
                    for (int j = 0; j < 99; j++) {
                        rec[j] = (byte) (' ' + random.nextInt(95));
                    }
                    rec[99] = '\n';
                    inputSum += ByteBuf.hash(rec, 0, 100);
                    out.write(rec);
                }
            }
            long t0 = System.nanoTime();
            JobResult result;
            try (LocalRunner runner = new LocalRunner(LocalRunnerConfig.defaults().withWorkRoot(dir.resolve("work"))
                    .withShuffle(ShuffleConfig.defaults().withBufferBytes(bufferMb << 20)))) {
                result = runner.run("sort", BuiltinJobs.sort(in.toString(), dir.resolve("out").toString()),
                        PlanOptions.defaults().withPartitions(8));
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long outputSum = 0;
            long count = 0;
            byte[] previous = null;
            try (Stream<Path> parts = Files.list(dir.resolve("out"))) {
                for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                    try (InputStream s = new BufferedInputStream(Files.newInputStream(part), 1 << 20)) {
                        byte[] rec = new byte[100];
                        while (s.readNBytes(rec, 0, 100) == 100) {
                            if (previous != null && ByteBuf.compare(previous, 0, 10, rec, 0, 10) > 0) {
                                throw new IllegalStateException("out of order at record " + count + " in " + part);
                            }
                            previous = rec.clone();
                            outputSum += ByteBuf.hash(rec, 0, 100);
                            count++;
                        }
                    }
                }
            }
            if (count != records || outputSum != inputSum) {
                throw new IllegalStateException("output has " + count + " records, checksum " + outputSum
                        + "; input " + records + ", " + inputSum);
            }
            System.out.printf("sorted %d records (%d MB) with a %d MiB sort buffer and %d MiB max heap in %d ms:"
                    + " %d spills, %d shuffle bytes; output in order and complete%n", records, records / 10_000,
                    bufferMb, Runtime.getRuntime().maxMemory() >> 20, ms, result.totalSpills(),
                    result.stages().get(1).bytesOut());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
