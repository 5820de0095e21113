package io.drover.connectors.csv;

import io.drover.connectors.Split;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Measures how fast one split of a CSV file is read into Avro records, and how long the planner's
 * row-boundary scan takes. Not a test: run by hand, e.g.
 * {@code java -cp <classpath> io.drover.connectors.csv.CsvReadThroughput 100 5}. It writes a file of
 * about that many MB to a temporary directory and deletes it after. Rows are
 * {@code id,name,score,flag,note}: a long, a short string (quoted with a comma in 1 of 10), a double,
 * a boolean, and a note that is empty (null) in 1 of 10 rows and a quoted two-line text with a doubled
 * quote in 1 of 10; about 60 bytes a row.
 */
public final class CsvReadThroughput {

    public static void main(String[] args) throws IOException {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("drover-csv-throughput");
        Path file = dir.resolve("rows.csv");
        try {
            generate(file, megabytes * 1_000_000, new Random(42));
            long size = Files.size(file);
            CsvSourceConfig config = CsvSourceConfig.of(file.toString());
            CsvSource source = new CsvSource(config.withMinSplitSizeBytes(Long.MAX_VALUE / 4));
            System.out.println("schema: " + source.schema());
            List<Split> splits = source.splits(1);
            if (splits.size() != 1) {
                throw new IllegalStateException("expected one split: " + splits);
            }
            Split split = splits.get(0);
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                long rows = read(source, split);
                long t1 = System.nanoTime();
                List<Split> eight = new CsvSource(config).splits(8);
                long t2 = System.nanoTime();
                System.out.printf("round %d: one split %.0f MB/s (%d rows, %.1f MB); planner scan for %d splits %.0f MB/s%n",
                        round, mbPerS(size, t1 - t0), rows, size / 1e6, eight.size(), mbPerS(size, t2 - t1));
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static double mbPerS(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private static long read(CsvSource source, Split split) throws IOException {
        long rows = 0;
        try (CsvReader reader = source.open(split)) {
            while (reader.next()) {
                rows++;
            }
        }
        return rows;
    }

    private static void generate(Path file, long bytes, Random random) throws IOException {
        String[] words = {"alpha", "beta", "gamma", "delta", "Zürich", "épée", "omega", "kappa"};
        long written = 0;
        StringBuilder row = new StringBuilder(128);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("id,name,score,flag,note\n");
            for (long id = 0; written < bytes; id++) {
                row.setLength(0);
                row.append(id).append(',');
                String name = words[random.nextInt(words.length)];
                if (random.nextInt(10) == 0) {
                    row.append('"').append(name).append(", ").append(words[random.nextInt(words.length)]).append('"');
                } else {
                    row.append(name);
                }
                row.append(',').append(random.nextDouble() * 1000).append(',').append(random.nextBoolean()).append(',');
                int note = random.nextInt(10);
                if (note == 0) {
                    row.append("\"first line\nsecond \"\"quoted\"\" line\"");
                } else if (note > 1) {
                    row.append("note ").append(random.nextInt(100000));
                }
                row.append('\n');
                out.write(row.toString());
                written += row.length();
            }
        }
    }
}
