package io.drover.connectors.text;

import io.drover.connectors.ByteSliceReader;
import io.drover.connectors.Reader;
import io.drover.connectors.Split;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Measures how fast one split of a text file is read, through the String path and the byte-slice
 * path. Not a test: run by hand, e.g.
 * {@code java -cp connectors/target/classes:connectors/target/test-classes
 * io.drover.connectors.text.TextReadThroughput 200 5}. It writes a file of that many MB of
 * random ASCII lines (0 to 160 bytes, mean about 80) to a temporary directory and deletes it after.
 */
public final class TextReadThroughput {

    public static void main(String[] args) throws IOException {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("drover-text-throughput");
        Path file = dir.resolve("lines.txt");
        try {
            generate(file, megabytes << 20, new Random(42));
            long size = Files.size(file);
            TextLineSource source = new TextLineSource(TextSourceConfig.of(file.toString())
                    .withMinSplitSizeBytes(Long.MAX_VALUE / 4));
            List<Split> splits = source.splits(1);
            if (splits.size() != 1) {
                throw new IllegalStateException("expected one split: " + splits);
            }
            Split split = splits.get(0);
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                long strings = readStrings(source, split);
                long t1 = System.nanoTime();
                long slices = readSlices(source, split);
                long t2 = System.nanoTime();
                System.out.printf("round %d: String %.0f MB/s, byte slices %.0f MB/s (%d / %d lines)%n", round,
                        mbPerS(size, t1 - t0), mbPerS(size, t2 - t1), strings, slices);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static double mbPerS(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private static long readStrings(TextLineSource source, Split split) throws IOException {
        long lines = 0;
        long chars = 0;
        try (Reader<String> reader = source.open(split)) {
            while (reader.next()) {
                lines++;
                chars += reader.current().length();
            }
        }
        return chars >= 0 ? lines : -1;
    }

    private static long readSlices(TextLineSource source, Split split) throws IOException {
        long lines = 0;
        long bytes = 0;
        try (ByteSliceReader reader = source.openSlices(split)) {
            while (reader.next()) {
                lines++;
                bytes += reader.length();
            }
        }
        return bytes >= 0 ? lines : -1;
    }

    private static void generate(Path file, long bytes, Random random) throws IOException {
        byte[] line = new byte[161];
        long written = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            while (written < bytes) {
                int length = random.nextInt(160);
                for (int i = 0; i < length; i++) {
                    line[i] = (byte) (' ' + random.nextInt(95));
                }
                line[length] = '\n';
                out.write(line, 0, length + 1);
                written += length + 1;
            }
        }
    }
}
