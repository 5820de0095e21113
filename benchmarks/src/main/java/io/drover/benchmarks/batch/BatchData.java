package io.drover.benchmarks.batch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Input files for the batch benchmarks, the same bytes for the same seed:
 *
 * <ul>
 *   <li>{@link #zipfText}: lines of 8 to 15 words drawn from a vocabulary of lowercase words with
 *       a Zipf distribution (exponent 1), like natural text: a few words are very common, most
 *       are rare;
 *   <li>{@link #sortRecords}: TeraSort-style records of 100 bytes, a random 10-byte key of printable ASCII then 90
 *       bytes of printable payload ending in a newline.
 * </ul>
 */
public final class BatchData {
    /** Bytes in one sort record. */
    public static final int RECORD = 100;
    /** Bytes of a sort record's key, at its start. */
    public static final int KEY = 10;

    private BatchData() {}

    /** Writes about {@code bytes} of Zipf text (whole lines; the last line ends with a newline). */
    public static void zipfText(Path file, long bytes, int vocabulary, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] words = new byte[vocabulary][];
        for (int i = 0; i < vocabulary; i++) {
            int len = 2 + random.nextInt(9);
            byte[] w = new byte[len];
            for (int j = 0; j < len; j++) {
                w[j] = (byte) ('a' + random.nextInt(26));
            }
            words[i] = w;
        }
        double[] cumulative = new double[vocabulary];
        double sum = 0;
        for (int i = 0; i < vocabulary; i++) {
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        for (int i = 0; i < vocabulary; i++) {
            cumulative[i] /= sum;
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            long written = 0;
            while (written < bytes) {
                int n = 8 + random.nextInt(8);
                for (int k = 0; k < n; k++) {
                    byte[] w = words[sample(cumulative, random.nextDouble())];
                    if (k > 0) {
                        out.write(' ');
                        written++;
                    }
                    out.write(w);
                    written += w.length;
                }
                out.write('\n');
                written++;
            }
        }
    }

    private static int sample(double[] cumulative, double u) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Writes {@code count} sort records. */
    public static void sortRecords(Path file, long count, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] record = new byte[RECORD];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (long r = 0; r < count; r++) {
                for (int i = 0; i < KEY; i++) {
                    // Printable ASCII (as gensort -a writes), so a key never holds a newline.
                    record[i] = (byte) (' ' + random.nextInt(95));
                }
                for (int i = KEY; i < RECORD - 1; i++) {
                    record[i] = (byte) ('A' + random.nextInt(26));
                }
                record[RECORD - 1] = '\n';
                out.write(record);
            }
        }
    }
}
