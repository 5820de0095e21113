package io.drover.job.builtin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.job.local.JobResult;
import io.drover.job.local.LocalRunner;
import io.drover.job.local.LocalRunnerConfig;
import io.drover.job.plan.PlanOptions;
import io.drover.job.shuffle.Compression;
import io.drover.job.shuffle.ShuffleConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each built-in job's output equals an independent computation, byte for byte. */
class BuiltinJobsTest {

    @TempDir
    Path dir;

    private static LocalRunner runner(long bufferBytes, Compression compression) {
        return new LocalRunner(LocalRunnerConfig.defaults().withShuffle(
                ShuffleConfig.defaults().withBufferBytes(bufferBytes).withCompression(compression)));
    }

    /** The part files of an output directory, concatenated in name order. */
    static byte[] output(Path out) throws IOException {
        assertTrue(Files.exists(out.resolve("_SUCCESS")), "no _SUCCESS in " + out);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(out)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                all.write(Files.readAllBytes(p));
            }
        }
        return all.toByteArray();
    }

    static List<String> sortedLines(byte[] bytes) {
        List<String> lines = new ArrayList<>(new String(bytes, StandardCharsets.UTF_8).lines().toList());
        lines.sort(null);
        return lines;
    }

    static byte[] run(List<String> command, Path stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(stdin.toFile());
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor();
        return out;
    }

    @Test
    void wordCountEqualsAPlainLoop() throws Exception {
        Path in = Files.createDirectories(dir.resolve("text"));
        Random random = new Random(7);
        Map<String, Long> expected = new HashMap<>();
        for (int f = 0; f < 3; f++) {
            StringBuilder sb = new StringBuilder();
            for (int line = 0; line < 4000; line++) {
                int words = random.nextInt(12);
                for (int w = 0; w < words; w++) {
                    // Zipf-like: small ranks are far more frequent.
                    String word = "w" + (int) Math.floor(Math.pow(random.nextDouble(), 3) * 5000);
                    sb.append(word).append(random.nextInt(5) == 0 ? "\t" : " ");
                    expected.merge(word, 1L, Long::sum);
                }
                sb.append('\n');
            }
            Files.writeString(in.resolve("f" + f + ".txt"), sb);
        }
        Path out = dir.resolve("wc");
        try (LocalRunner r = runner(ShuffleConfig.DEFAULT_BUFFER_BYTES, Compression.LZ4)) {
            r.run("wordcount", BuiltinJobs.wordCount(in.toString(), out.toString()), PlanOptions.defaults()
                    .withPartitions(3));
        }
        List<String> want = new ArrayList<>();
        expected.forEach((w, c) -> want.add(w + "\t" + c));
        want.sort(null);
        assertEquals(want, sortedLines(output(out)));
    }

    @Test
    void sortWithSpillsIsByteIdenticalToCoreutilsSort() throws Exception {
        Path in = Files.createDirectories(dir.resolve("records"));
        Random random = new Random(11);
        Set<String> keys = new HashSet<>();
        Path all = dir.resolve("all.txt");
        ByteArrayOutputStream concat = new ByteArrayOutputStream();
        for (int f = 0; f < 4; f++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5000; i++) {
                String key;
                do {
                    key = randomPrintable(random, 10);
                } while (!keys.add(key));
                sb.append(key).append(randomPrintable(random, 89)).append('\n');
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
            Files.write(in.resolve("part" + f), bytes);
            concat.write(bytes);
        }
        Files.write(all, concat.toByteArray());
        Path out = dir.resolve("sorted");
        JobResult result;
        try (LocalRunner r = runner(64 << 10, Compression.LZ4)) {
            result = r.run("sort", BuiltinJobs.sort(in.toString(), out.toString()), PlanOptions.defaults()
                    .withPartitions(4));
        }
        assertTrue(result.totalSpills() > 0, "a 64 KiB buffer must spill a 2 MB shuffle");
        byte[] expected = run(List.of("sort"), all);
        assertEquals(2_000_000, expected.length);
        assertArrayEquals(expected, output(out));
    }

    private static String randomPrintable(Random random, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) (' ' + random.nextInt(95));
        }
        return new String(c);
    }

    @Test
    void grepIsByteIdenticalToCoreutilsGrep() throws Exception {
        Path in = dir.resolve("log.txt");
        Random random = new Random(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            sb.append("line ").append(i).append(' ').append(randomPrintable(random, 20).replace('\\', '/')).append('\n');
        }
        Files.writeString(in, sb);
        Path out = dir.resolve("grep");
        String regex = "ab[cd]|x[0-9]y";
        try (LocalRunner r = runner(ShuffleConfig.DEFAULT_BUFFER_BYTES, Compression.NONE)) {
            r.run("grep", BuiltinJobs.grep(in.toString(), regex, out.toString()), PlanOptions.defaults());
        }
        byte[] expected = run(List.of("grep", "-E", regex), in);
        assertTrue(expected.length > 0);
        assertArrayEquals(expected, output(out));
    }

    @Test
    void joinEqualsANestedLoop() throws Exception {
        Random random = new Random(5);
        List<String[]> left = new ArrayList<>();
        List<String[]> right = new ArrayList<>();
        StringBuilder l = new StringBuilder();
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            String[] row = {"k" + random.nextInt(1000), "L" + i};
            left.add(row);
            l.append(row[0]).append(',').append(row[1]).append('\n');
        }
        for (int i = 0; i < 2000; i++) {
            String[] row = {"k" + random.nextInt(1500), "R" + i};
            right.add(row);
            r.append(row[0]).append(',').append(row[1]).append('\n');
        }
        Path lp = dir.resolve("left.csv");
        Path rp = dir.resolve("right.csv");
        Files.writeString(lp, l);
        Files.writeString(rp, r);
        Path out = dir.resolve("joined");
        try (LocalRunner run = runner(32 << 10, Compression.LZ4)) {
            run.run("join", BuiltinJobs.join(lp.toString(), rp.toString(), ',', out.toString()),
                    PlanOptions.defaults().withPartitions(3));
        }
        List<String> want = new ArrayList<>();
        for (String[] a : left) {
            for (String[] b : right) {
                if (a[0].equals(b[0])) {
                    want.add(a[0] + "," + a[1] + "," + b[1]);
                }
            }
        }
        want.sort(null);
        assertTrue(want.size() > 1000);
        assertEquals(want, sortedLines(output(out)));
    }

    @Test
    void csvJoinEqualsANestedLoop() throws Exception {
        Random random = new Random(8);
        StringBuilder people = new StringBuilder("id,name\r\n");
        StringBuilder orders = new StringBuilder("id,amount,note\r\n");
        List<String[]> p = new ArrayList<>();
        List<String[]> o = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String[] row = {Integer.toString(i), i % 7 == 0 ? "Smith, J." : "n" + i};
            p.add(row);
            people.append(row[0]).append(',').append(row[1].contains(",") ? "\"" + row[1] + "\"" : row[1])
                    .append("\r\n");
        }
        for (int i = 0; i < 1500; i++) {
            String[] row = {Integer.toString(random.nextInt(700)), Long.toString(random.nextInt(10000)),
                    i % 5 == 0 ? "" : "x" + i};
            o.add(row);
            orders.append(row[0]).append(',').append(row[1]).append(',').append(row[2]).append("\r\n");
        }
        Path left = dir.resolve("people.csv");
        Path right = dir.resolve("orders.csv");
        Files.writeString(left, people);
        Files.writeString(right, orders);
        Path out = dir.resolve("csvjoin");
        try (LocalRunner r = runner(ShuffleConfig.DEFAULT_BUFFER_BYTES, Compression.LZ4)) {
            r.run("csvjoin", BuiltinJobs.joinCsv(left.toString(), right.toString(), "id", out.toString()),
                    PlanOptions.defaults().withPartitions(3));
        }
        List<String> want = new ArrayList<>();
        for (String[] a : p) {
            for (String[] b : o) {
                if (a[0].equals(b[0])) {
                    String name = a[1].contains(",") ? "\"" + a[1] + "\"" : a[1];
                    want.add(a[0] + "," + name + "," + b[1] + "," + b[2]);
                }
            }
        }
        want.sort(null);
        assertTrue(want.size() > 500);
        assertEquals(want, sortedLines(output(out)));
    }
}
