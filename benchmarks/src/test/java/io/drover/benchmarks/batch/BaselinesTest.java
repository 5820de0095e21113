package io.drover.benchmarks.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baselines the batch benchmarks compare against must give the right answer, or the ratio means nothing. */
class BaselinesTest {
    @Test
    void wordcountEqualsAPlainMapCount(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("text");
        BatchData.zipfText(in, 2_000_000, 5_000, 42);
        Path out = dir.resolve("counts");
        Baselines.wordcount(in, out);
        TreeMap<String, Long> expected = new TreeMap<>();
        for (String line : Files.readAllLines(in, StandardCharsets.US_ASCII)) {
            for (String w : line.split(" ")) {
                if (!w.isEmpty()) {
                    expected.merge(w, 1L, Long::sum);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        expected.forEach((w, c) -> sb.append(w).append('\t').append(c).append('\n'));
        assertEquals(sb.toString(), Files.readString(out, StandardCharsets.US_ASCII));
    }

    @Test
    void sortEqualsSortingTheRecordsByTheirWholeKey(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("records");
        BatchData.sortRecords(in, 50_000, 7);
        byte[] data = Files.readAllBytes(in);
        // Force equal 5-byte prefixes so the tie-break path runs: copy a prefix onto other records.
        for (int r = 1; r < 200; r++) {
            System.arraycopy(data, 0, data, r * 250 * BatchData.RECORD, 5);
        }
        Files.write(in, data);
        Path out = dir.resolve("sorted");
        assertEquals(50_000, Baselines.sort(in, out));
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < data.length; i += BatchData.RECORD) {
            records.add(Arrays.copyOfRange(data, i, i + BatchData.RECORD));
        }
        records.sort((x, y) -> Arrays.compareUnsigned(x, 0, BatchData.KEY, y, 0, BatchData.KEY));
        byte[] expected = new byte[data.length];
        for (int i = 0; i < records.size(); i++) {
            System.arraycopy(records.get(i), 0, expected, i * BatchData.RECORD, BatchData.RECORD);
        }
        assertArrayEquals(expected, Files.readAllBytes(out));
    }
}
