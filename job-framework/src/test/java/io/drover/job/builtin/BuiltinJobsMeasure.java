package io.drover.job.builtin;

import io.drover.job.local.JobResult;
import io.drover.job.local.LocalRunner;
import io.drover.job.local.LocalRunnerConfig;
import io.drover.job.plan.PlanOptions;
import io.drover.job.shuffle.Compression;
import io.drover.job.shuffle.ShuffleConfig;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Measures wordcount and sort through the local runner beside a plain single-threaded Java loop
 * over the same file. Not a test: run by hand, e.g. {@code java -Xmx1g -cp ... 
 * io.drover.job.builtin.BuiltinJobsMeasure 256 1000000 LZ4}: MB of Zipf-like text, number of
 * 100-byte sort records, shuffle compression. Files go to a temporary directory, deleted after.
 */
public final class BuiltinJobsMeasure {

    public static void main(String[] args) throws Exception {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 128;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Compression compression = args.length > 2 ? Compression.valueOf(args[2]) : Compression.LZ4;
        Path dir = Files.createTempDirectory("drover-job-measure");
        try {
            Path text = dir.resolve("text.txt");
            writeZipf(text, megabytes << 20, new Random(1));
            Path sortIn = dir.resolve("records.txt");
            writeRecords(sortIn, records, new Random(2));
            LocalRunnerConfig config = LocalRunnerConfig.defaults().withShuffle(
                    ShuffleConfig.defaults().withCompression(compression));
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                Map<String, Long> counts = new HashMap<>();
                try (BufferedReader r = Files.newBufferedReader(text, StandardCharsets.UTF_8)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        for (String w : line.split("[ \t]+")) {
                            if (!w.isEmpty()) {
                                counts.merge(w, 1L, Long::sum);
                            }
                        }
                    }
                }
                long loopMs = (System.nanoTime() - t0) / 1_000_000;
                t0 = System.nanoTime();
                JobResult wc;
                try (LocalRunner runner = new LocalRunner(config)) {
                    wc = runner.run("wordcount", BuiltinJobs.wordCount(text.toString(), dir.resolve("wc" + round)
                            .toString()), PlanOptions.defaults());
                }
                long jobMs = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("wordcount %d MB: plain loop %d ms (%d words), local runner %d ms, ratio %.2f, "
                        + "shuffled %d bytes%n", megabytes, loopMs, counts.size(), jobMs, (double) jobMs / loopMs,
                        wc.stages().get(0).bytesOut());

                t0 = System.nanoTime();
                java.util.List<String> lines = Files.readAllLines(sortIn, StandardCharsets.US_ASCII);
                lines.sort(Comparator.comparing(l -> l.substring(0, 10)));
                Files.write(dir.resolve("sorted" + round + ".txt"), lines, StandardCharsets.US_ASCII);
                loopMs = (System.nanoTime() - t0) / 1_000_000;
                t0 = System.nanoTime();
                JobResult sort;
                try (LocalRunner runner = new LocalRunner(config)) {
                    sort = runner.run("sort", BuiltinJobs.sort(sortIn.toString(), dir.resolve("s" + round)
                            .toString()), PlanOptions.defaults());
                }
                jobMs = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("sort %d records: plain loop %d ms, local runner %d ms, ratio %.2f, spills %d%n",
                        records, loopMs, jobMs, (double) jobMs / loopMs, sort.totalSpills());
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void writeZipf(Path file, long bytes, Random random) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            long written = 0;
            StringBuilder line = new StringBuilder();
            while (written < bytes) {
                line.setLength(0);
                int words = 1 + random.nextInt(15);
                for (int w = 0; w < words; w++) {
                    line.append(w == 0 ? "" : " ").append("w").append((int) (1.0 / (random.nextDouble() + 1e-6)));
                }
                line.append('\n');
                byte[] b = line.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(b);
                written += b.length;
            }
        }
    }

    private static void writeRecords(Path file, int n, Random random) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            byte[] rec = new byte[100];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 99; j++) {
                    rec[j] = (byte) (' ' + random.nextInt(95));
                }
                rec[99] = '\n';
                out.write(rec);
            }
        }
    }
}
