package io.drover.connectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.ByteSliceReader;
import io.drover.connectors.Reader;
import io.drover.connectors.Split;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextLineSourceTest {

    @TempDir
    Path dir;

    /** Reads every split through the String path, in split order. */
    static List<String> readAll(TextLineSource source, List<Split> splits) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Split split : splits) {
            // Through the wire form, as an executor would get it.
            try (Reader<String> reader = source.open(Split.fromBytes(split.toBytes()))) {
                while (reader.next()) {
                    lines.add(reader.current());
                }
            }
        }
        return lines;
    }

    /** Reads every split through the byte-slice path, in split order. */
    static List<String> readAllSlices(TextLineSource source, List<Split> splits) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Split split : splits) {
            try (ByteSliceReader reader = source.openSlices(split)) {
                while (reader.next()) {
                    lines.add(new String(reader.buffer(), reader.offset(), reader.length(), StandardCharsets.UTF_8));
                }
            }
        }
        return lines;
    }

    private Path write(String name, String content) throws IOException {
        return Files.write(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
    }

    private static TextSourceConfig tiny(Path path, long minSplit) {
        return TextSourceConfig.of(path.toString()).withMinSplitSizeBytes(minSplit).withReadBufferBytes(16);
    }

    @Test
    void aLineStraddlingASplitBoundaryIsReadOnce() throws IOException {
        // Split size 10: "0123456789abc" straddles the boundary at byte 10.
        Path file = write("a.txt", "0123456789abc\nxy\nz\n");
        TextLineSource source = new TextLineSource(tiny(file, 10));
        List<Split> splits = source.splits(100);
        assertTrue(splits.size() >= 2, "expected several splits: " + splits);
        assertEquals(List.of("0123456789abc", "xy", "z"), readAll(source, splits));
    }

    @Test
    void aLineStartingExactlyAtASplitStartBelongsToThatSplit() throws IOException {
        Path file = write("a.txt", "012345678\nabcdefghi\nxyz\n");
        TextLineSource source = new TextLineSource(tiny(file, 10));
        List<Split> splits = source.splits(100);
        try (Reader<String> second = source.open(splits.get(1))) {
            assertTrue(second.next());
            assertEquals("abcdefghi", second.current());
        }
        assertEquals(List.of("012345678", "abcdefghi", "xyz"), readAll(source, splits));
    }

    @Test
    void randomFilesReadEveryLineOnceInOrderAtAnyParallelism() throws IOException {
        Random random = new Random(20261126L);
        for (int round = 0; round < 200; round++) {
            List<String> expected = new ArrayList<>();
            StringBuilder content = new StringBuilder();
            int lineCount = random.nextInt(40);
            boolean crlf = random.nextInt(4) == 0;
            for (int i = 0; i < lineCount; i++) {
                String line = randomLine(random);
                expected.add(line);
                content.append(line);
                boolean last = i == lineCount - 1;
                // An empty last line exists only if a newline ends it.
                if (!last || line.isEmpty() || random.nextBoolean()) {
                    content.append(crlf ? "\r\n" : "\n");
                }
            }
            Path file = write("r" + round + ".txt", content.toString());
            long minSplit = 1 + random.nextInt(40);
            int parallelism = 1 + random.nextInt(50);
            TextLineSource source = new TextLineSource(tiny(file, minSplit));
            List<Split> splits = source.splits(parallelism);
            String context = "round " + round + " minSplit " + minSplit + " parallelism " + parallelism;
            assertEquals(expected, readAll(source, splits), context);
            assertEquals(expected, readAllSlices(source, splits), context);
            assertEquals(Files.size(file), splits.stream().mapToLong(Split::sizeBytes).sum(), context);
        }
    }

    @Test
    void aDirectoryOfRandomFilesReadsEveryLineOnceInFileOrder() throws IOException {
        Random random = new Random(7L);
        for (int round = 0; round < 20; round++) {
            Path input = Files.createDirectory(dir.resolve("round" + round));
            List<String> expected = new ArrayList<>();
            int fileCount = 1 + random.nextInt(8);
            for (int f = 0; f < fileCount; f++) {
                StringBuilder content = new StringBuilder();
                int lineCount = random.nextInt(15);
                for (int i = 0; i < lineCount; i++) {
                    String line = randomLine(random);
                    expected.add(line);
                    content.append(line);
                    if (i < lineCount - 1 || line.isEmpty() || random.nextBoolean()) {
                        content.append(random.nextBoolean() ? "\n" : "\r\n");
                    }
                }
                Files.writeString(input.resolve(String.format("f%02d.txt", f)), content.toString());
            }
            int parallelism = 1 + random.nextInt(30);
            TextLineSource source = new TextLineSource(tiny(input, 1 + random.nextInt(30)));
            List<Split> splits = source.splits(parallelism);
            assertEquals(expected, readAll(source, splits), "round " + round);
            assertEquals(expected, readAllSlices(source, splits), "round " + round);
        }
    }

    private static String randomLine(Random random) {
        int kind = random.nextInt(10);
        int length = kind == 0 ? 0 : kind == 1 ? 50 + random.nextInt(100) : random.nextInt(12);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int c = random.nextInt(20);
            // Two-, three- and four-byte UTF-8 characters land across split boundaries too.
            line.append(c == 0 ? "é" : c == 1 ? "€" : c == 2 ? "😀" : String.valueOf((char) ('a' + c)));
        }
        return line.toString();
    }

    @Test
    void emptyFilesGiveNoSplitsAndNoLines() throws IOException {
        Path file = write("empty.txt", "");
        TextLineSource source = new TextLineSource(tiny(file, 1));
        assertEquals(List.of(), source.splits(4));
    }

    @Test
    void oneLineWithoutFinalNewline() throws IOException {
        Path file = write("one.txt", "only line");
        TextLineSource source = new TextLineSource(tiny(file, 3));
        assertEquals(List.of("only line"), readAll(source, source.splits(8)));
    }

    @Test
    void emptyLinesAndCrlfAreKept() throws IOException {
        Path file = write("crlf.txt", "a\r\n\r\nb\n\nc\r");
        TextLineSource source = new TextLineSource(tiny(file, 2));
        assertEquals(List.of("a", "", "b", "", "c"), readAll(source, source.splits(10)));
    }

    @Test
    void multiByteCharactersAcrossSplitBoundaries() throws IOException {
        String line = "Grüße, 世界 😀 ".repeat(5);
        Path file = write("utf8.txt", (line + "\n").repeat(20));
        for (long minSplit = 1; minSplit < 40; minSplit++) {
            TextLineSource source = new TextLineSource(tiny(file, minSplit));
            List<Split> splits = source.splits(1000);
            assertEquals(java.util.Collections.nCopies(20, line), readAll(source, splits), "minSplit " + minSplit);
        }
    }

    @Test
    void gzipFilesAreOneSplitReadWhole() throws IOException {
        Path file = dir.resolve("lines.txt.gz");
        List<String> expected = new ArrayList<>();
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < 5000; i++) {
                expected.add("line " + i + " é");
                out.write(("line " + i + " é\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        TextLineSource source = new TextLineSource(tiny(file, 1));
        List<Split> splits = source.splits(16);
        assertEquals(1, splits.size());
        assertEquals(expected, readAll(source, splits));
        assertEquals(expected, readAllSlices(source, splits));
    }

    private Path gzip(String name, byte[]... members) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (byte[] member : members) {
                // Each member a whole gzip stream: concatenated members read as one file, as gunzip does.
                GZIPOutputStream gz = new GZIPOutputStream(out) {
                    @Override
                    public void close() throws IOException {
                        finish();
                    }
                };
                gz.write(member);
                gz.close();
            }
        }
        return file;
    }

    @Test
    void gzipEdgeCasesReadLikePlainFiles() throws IOException {
        Path noNewline = gzip("one.txt.gz", "only line, ü".getBytes(StandardCharsets.UTF_8));
        TextLineSource one = new TextLineSource(tiny(noNewline, 1));
        assertEquals(List.of("only line, ü"), readAll(one, one.splits(4)));

        Path emptyContent = gzip("empty-content.txt.gz", new byte[0]);
        TextLineSource empty = new TextLineSource(tiny(emptyContent, 1));
        assertEquals(1, empty.splits(4).size());
        assertEquals(List.of(), readAll(empty, empty.splits(4)));

        Path members = gzip("members.txt.gz", "a\nb".getBytes(StandardCharsets.UTF_8),
                "c\r\nd\n".getBytes(StandardCharsets.UTF_8));
        TextLineSource concatenated = new TextLineSource(tiny(members, 1));
        assertEquals(List.of("a", "bc", "d"), readAll(concatenated, concatenated.splits(4)));
    }

    @Test
    void aDamagedOrFakeGzipFileFailsNamingIt() throws IOException {
        Path fake = write("fake.txt.gz", "plain text\n");
        TextLineSource source = new TextLineSource(tiny(fake, 1));
        IOException e = assertThrows(IOException.class, () -> readAll(source, source.splits(1)));
        assertTrue(e.getMessage().startsWith(fake + ": not a gzip file"), e.getMessage());

        byte[] line = "0123456789 abcdefghij\n".repeat(2000).getBytes(StandardCharsets.UTF_8);
        Path whole = gzip("whole.txt.gz", line);
        byte[] compressed = Files.readAllBytes(whole);
        Path truncated = Files.write(dir.resolve("truncated.txt.gz"), Arrays.copyOf(compressed, compressed.length / 2));
        TextLineSource cut = new TextLineSource(tiny(truncated, 1));
        e = assertThrows(IOException.class, () -> readAll(cut, cut.splits(1)));
        assertTrue(e.getMessage().startsWith(truncated + ": read failed at byte "), e.getMessage());
    }

    @Test
    void directoriesReadTheirVisibleFilesInNameOrder() throws IOException {
        Path input = Files.createDirectory(dir.resolve("in"));
        Files.writeString(input.resolve("b.txt"), "b1\nb2\n");
        Files.writeString(input.resolve("a.txt"), "a1\n");
        Files.writeString(input.resolve("_SUCCESS"), "");
        Files.writeString(input.resolve(".hidden"), "h\n");
        Files.createDirectory(input.resolve("sub"));
        Files.writeString(input.resolve("sub").resolve("c.txt"), "c\n");
        TextLineSource source = new TextLineSource(TextSourceConfig.of(input.toString()));
        assertEquals(List.of("a1", "b1", "b2"), readAll(source, source.splits(4)));
    }

    @Test
    void globsMatchWithinAndAcrossDirectories() throws IOException {
        Path input = Files.createDirectory(dir.resolve("logs"));
        Files.createDirectories(input.resolve("2026/11"));
        Files.writeString(input.resolve("x.log"), "x\n");
        Files.writeString(input.resolve("x.txt"), "not me\n");
        Files.writeString(input.resolve("2026/11/y.log"), "y\n");
        TextLineSource flat = new TextLineSource(TextSourceConfig.of(input + "/*.log"));
        assertEquals(List.of("x"), readAll(flat, flat.splits(2)));
        TextLineSource deep = new TextLineSource(TextSourceConfig.of(input + "/**.log"));
        assertEquals(List.of("y", "x"), readAll(deep, deep.splits(2)));
        TextLineSource both = new TextLineSource(TextSourceConfig.of(input + "/*.{log,txt}"));
        assertEquals(List.of("x", "not me"), readAll(both, both.splits(2)));
    }

    @Test
    void aMissingPathIsNamed() {
        String missing = dir.resolve("nope.txt").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TextLineSource(TextSourceConfig.of(missing)).splits(1));
        assertTrue(e.getMessage().contains(missing), e.getMessage());
        String glob = dir + "/*.nothing";
        e = assertThrows(IllegalArgumentException.class, () -> new TextLineSource(TextSourceConfig.of(glob)).splits(1));
        assertTrue(e.getMessage().contains(glob), e.getMessage());
    }

    @Test
    void splitSizeIsTotalOverParallelismBoundedByTheMinimum() throws IOException {
        byte[] line = "0123456789\n".getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[line.length * 1000];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(line, 0, content, i * line.length, line.length);
        }
        Path file = Files.write(dir.resolve("big.txt"), content);
        assertEquals(4, new TextLineSource(tiny(file, 1)).splits(4).size());
        assertEquals(2, new TextLineSource(tiny(file, 5500)).splits(4).size());
        assertEquals(1, new TextLineSource(TextSourceConfig.of(file.toString())).splits(4).size());
    }

    @Test
    void aLineLongerThanTheLimitFailsClearly() throws IOException {
        Path file = write("long.txt", "x".repeat(100) + "\n");
        TextLineSource source = new TextLineSource(tiny(file, 1000).withMaxLineBytes(50));
        IOException e = assertThrows(IOException.class, () -> readAll(source, source.splits(1)));
        assertTrue(e.getMessage().contains("long.txt"), e.getMessage());
    }

    @Test
    void splitsRoundTripThroughBytes() {
        Split split = new Split("t", "id", 5, List.of("h1", "h2"), java.util.Map.of("k", "v", "a", "b"));
        assertEquals(split, Split.fromBytes(split.toBytes()));
        assertTrue(Arrays.equals(split.toBytes(), Split.fromBytes(split.toBytes()).toBytes()));
    }
}
