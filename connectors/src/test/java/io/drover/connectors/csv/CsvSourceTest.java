package io.drover.connectors.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.Split;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.write(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
    }

    /** Every record of every split, read through the wire form of the split, as field lists. */
    static List<List<Object>> readAll(CsvSource source, List<Split> splits) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        for (Split split : splits) {
            try (CsvReader reader = source.open(Split.fromBytes(split.toBytes()))) {
                while (reader.next()) {
                    rows.add(values(reader.current()));
                }
            }
        }
        return rows;
    }

    static List<Object> values(GenericRecord r) {
        List<Object> v = new ArrayList<>();
        for (int i = 0; i < r.getSchema().getFields().size(); i++) {
            Object o = r.get(i);
            v.add(o instanceof CharSequence cs ? cs.toString() : o);
        }
        return v;
    }

    private static List<List<Object>> readAll(CsvSource source) throws IOException {
        return readAll(source, source.splits(1));
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    @Test
    void quotedFieldsHoldSeparatorsQuotesAndNewlines() throws IOException {
        Path file = write("a.csv", "name,note\n"
                + "plain,\"a,b\"\n"
                + "q,\"say \"\"hi\"\"\"\n"
                + "nl,\"line1\nline2\r\nline3\"\n"
                + "\"\",\"\"\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()));
        assertEquals(List.of(
                row("plain", "a,b"),
                row("q", "say \"hi\""),
                row("nl", "line1\nline2\r\nline3"),
                row("", "")), readAll(source));
    }

    @Test
    void crlfAndLfLineEndsAndNoFinalNewlineReadTheSame() throws IOException {
        Path crlf = write("crlf.csv", "a,b\r\n1,x\r\n2,y\r\n");
        Path lf = write("lf.csv", "a,b\n1,x\n2,y");
        List<List<Object>> expected = List.of(row(1L, "x"), row(2L, "y"));
        assertEquals(expected, readAll(new CsvSource(CsvSourceConfig.of(crlf.toString()))));
        assertEquals(expected, readAll(new CsvSource(CsvSourceConfig.of(lf.toString()))));
    }

    @Test
    void aFileOfOneRowWithoutAFinalNewline() throws IOException {
        Path file = write("one.csv", "42,\"Grüße, 世界\"");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withHeader(false).withMinSplitSizeBytes(1));
        assertEquals(List.of(row(42L, "Grüße, 世界")), readAll(source));
    }

    @Test
    void headerOrNoHeader() throws IOException {
        Path file = write("a.csv", "1,x\n2,y\n");
        CsvSource noHeader = new CsvSource(CsvSourceConfig.of(file.toString()).withHeader(false));
        assertEquals(List.of(row(1L, "x"), row(2L, "y")), readAll(noHeader));
        assertEquals(List.of("f0", "f1"), names(noHeader.schema()));

        CsvSource withHeader = new CsvSource(CsvSourceConfig.of(file.toString()));
        assertEquals(List.of(row(2L, "y")), readAll(withHeader));
        assertEquals(List.of("_1", "x"), names(withHeader.schema()));
    }

    @Test
    void headerNamesAreSanitisedAndDeduplicated() throws IOException {
        Path file = write("a.csv", "first name,1st,first name,,prix €\na,b,c,d,e\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()));
        assertEquals(List.of("first_name", "_1st", "first_name_2", "f3", "prix__"), names(source.schema()));
    }

    private static List<String> names(Schema schema) {
        return schema.getFields().stream().map(Schema.Field::name).toList();
    }

    @Test
    void inferenceChoosesLongDoubleBooleanStringAndNullable() throws IOException {
        Path file = write("a.csv", "l,d,b,s,n,e\n"
                + "1,1.5,true,x,,\n"
                + "-2,3,FALSE,7,5,\n"
                + "3,1e3,false,y,6,\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()));
        Schema s = source.schema();
        assertEquals(Schema.Type.LONG, s.getField("l").schema().getType());
        assertEquals(Schema.Type.DOUBLE, s.getField("d").schema().getType());
        assertEquals(Schema.Type.BOOLEAN, s.getField("b").schema().getType());
        assertEquals(Schema.Type.STRING, s.getField("s").schema().getType());
        assertEquals(Schema.Type.UNION, s.getField("n").schema().getType());
        assertEquals(Schema.Type.LONG, CsvSchemas.valueType(s.getField("n").schema()));
        assertEquals(Schema.Type.STRING, CsvSchemas.valueType(s.getField("e").schema()));
        assertEquals(List.of(
                row(1L, 1.5, true, "x", null, null),
                row(-2L, 3.0, false, "7", 5L, null),
                row(3L, 1000.0, false, "y", 6L, null)), readAll(source));
    }

    @Test
    void inferenceSamplesOnlyTheFirstRows() throws IOException {
        Path file = write("a.csv", "v\n1\n2\nthree\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withInferenceRows(2));
        assertEquals(Schema.Type.LONG, source.schema().getField("v").schema().getType());
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> readAll(source));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("not a long"), e.getMessage());
    }

    @Test
    void explicitSchemaWithNullableFields() throws IOException {
        Schema schema = SchemaBuilder.record("Trade").fields()
                .requiredInt("qty")
                .optionalDouble("price")
                .requiredString("sym")
                .optionalString("note")
                .requiredBoolean("ok")
                .requiredLong("ts")
                .endRecord();
        Path file = write("a.csv", "7,,IBM,,true,10\n8,2.5,\"\",\"\",False,11\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withHeader(false).withSchema(schema));
        assertEquals(schema, source.schema());
        assertEquals(List.of(
                row(7, null, "IBM", null, true, 10L),
                row(8, 2.5, "", "", false, 11L)), readAll(source));
    }

    @Test
    void anUnsupportedExplicitSchemaIsRefused() {
        Schema nested = SchemaBuilder.record("R").fields().name("a").type().array().items().intType().noDefault()
                .endRecord();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsvSourceConfig.of("x").withSchema(nested));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void nonAsciiAndOtherSeparators() throws IOException {
        Path file = write("a.csv", "ville;note\nZürich;\"日本; ok\"\nKøbenhavn;😀\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withSeparator(';'));
        assertEquals(List.of(row("Zürich", "日本; ok"), row("København", "😀")), readAll(source));
    }

    @Test
    void emptyFilesAndHeaderOnlyFilesGiveNoRecords() throws IOException {
        write("empty.csv", "");
        CsvSource source = new CsvSource(CsvSourceConfig.of(dir.toString()));
        assertEquals(List.of(), source.splits(4));
        write("header.csv", "a,b\n");
        CsvSource headerOnly = new CsvSource(CsvSourceConfig.of(dir.toString()));
        assertEquals(List.of("a", "b"), names(headerOnly.schema()));
        assertEquals(List.of(), readAll(headerOnly));
    }

    @Test
    void blankLinesAreSkipped() throws IOException {
        Path file = write("a.csv", "a,b\n\n1,2\r\n\n3,4\n\n");
        assertEquals(List.of(row(1L, 2L), row(3L, 4L)), readAll(new CsvSource(CsvSourceConfig.of(file.toString()))));
    }

    @Test
    void everyFileOfADirectorySkipsItsOwnHeader() throws IOException {
        write("a.csv", "k,v\n1,a\n");
        write("b.csv", "k,v\n2,b\n");
        assertEquals(List.of(row(1L, "a"), row(2L, "b")),
                readAll(new CsvSource(CsvSourceConfig.of(dir.toString()))));
    }

    private static final Schema KV = SchemaBuilder.record("KV").fields().requiredLong("k").requiredString("v").endRecord();

    @Test
    void malformedRowsFailWithFileAndLine() throws IOException {
        String[][] cases = {
            {"k,v\n1,a\n2,b,extra\n", "3", "expected 2 fields, found 3"},
            {"k,v\n1,a\nx,b\n", "3", "not a long"},
            {"k,v\n1,\"multi\nline\"\n2,\"ab\"c\n", "4", "after the closing quote"},
            {"k,v\n1,a\n2,b\"c\"\n", "3", "quote inside unquoted field"},
            {"k,v\n1,a\n2,\"never closed\n3,c\n", "3", "unterminated"},
        };
        for (String[] c : cases) {
            Path file = write("bad.csv", c[0]);
            CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withSchema(KV));
            CsvFormatException e = assertThrows(CsvFormatException.class, () -> readAll(source), c[0]);
            assertEquals(file.toString(), e.file());
            assertEquals(Long.parseLong(c[1]), e.line(), c[0]);
            assertTrue(e.getMessage().startsWith(file + ":" + c[1] + ": "), e.getMessage());
            assertTrue(e.reason().contains(c[2]), e.reason());
        }
    }

    @Test
    void malformedRowsAreSkippedCountedAndWrittenToTheRejectedFile() throws IOException {
        Path file = write("bad.csv", "k,v\n1,a\n2,b,extra\nx,\"multi\nline\"\n3,c\n");
        Path rejectedDir = dir.resolve("rejected");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withSchema(KV)
                .withPolicy(MalformedRowPolicy.SKIP, rejectedDir));
        List<List<Object>> rows = new ArrayList<>();
        Split split = source.splits(1).get(0);
        Path rejectedFile;
        try (CsvReader reader = source.open(split)) {
            while (reader.next()) {
                rows.add(values(reader.current()));
            }
            assertEquals(2, reader.rejectedRows());
            rejectedFile = reader.rejectedRowsFile();
        }
        assertEquals(List.of(row(1L, "a"), row(3L, "c")), rows);
        String rejected = Files.readString(rejectedFile);
        assertEquals("# " + file + ":3: expected 2 fields, found 3\n2,b,extra\n"
                + "# " + file + ":4: not a long in field 'k' (long): 'x'\nx,\"multi\nline\"\n", rejected);
    }

    @Test
    void theRejectedFileIsBoundedButEveryRowIsCounted() throws IOException {
        StringBuilder csv = new StringBuilder("k,v\n");
        for (int i = 0; i < 1000; i++) {
            csv.append("bad").append(i).append(",x\n");
        }
        Path file = write("bad.csv", csv.toString());
        Path rejectedDir = dir.resolve("rejected");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withSchema(KV)
                .withPolicy(MalformedRowPolicy.SKIP, rejectedDir).withMaxRejectedBytes(1000));
        try (CsvReader reader = source.open(source.splits(1).get(0))) {
            assertFalse(reader.next());
            assertEquals(1000, reader.rejectedRows());
            String rejected = Files.readString(reader.rejectedRowsFile());
            assertTrue(rejected.length() < 1200, "rejected file too long: " + rejected.length());
            assertTrue(rejected.contains("counted but not written"), rejected);
        }
    }

    @Test
    void equalFileNamesInDifferentDirectoriesGetTheirOwnRejectedFiles() throws IOException {
        Files.createDirectories(dir.resolve("x"));
        Files.createDirectories(dir.resolve("y"));
        write("x/d.csv", "k,v\nbad,1\n");
        write("y/d.csv", "k,v\nworse,2\n");
        Path rejectedDir = dir.resolve("rejected");
        CsvSource source = new CsvSource(CsvSourceConfig.of(dir + "/*/d.csv").withSchema(KV)
                .withPolicy(MalformedRowPolicy.SKIP, rejectedDir));
        List<Split> splits = source.splits(2);
        assertEquals(2, splits.size());
        for (Split split : splits) {
            try (CsvReader reader = source.open(split)) {
                assertFalse(reader.next());
            }
        }
        try (var files = Files.list(rejectedDir)) {
            String all = files.sorted().map(p -> {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).reduce("", String::concat);
            assertTrue(all.contains("bad,1") && all.contains("worse,2"), all);
        }
    }

    @Test
    void skippingWithoutADirectoryOnlyCounts() throws IOException {
        Path file = write("bad.csv", "k,v\n1,a,b\n2,c\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withSchema(KV)
                .withPolicy(MalformedRowPolicy.SKIP, null));
        try (CsvReader reader = source.open(source.splits(1).get(0))) {
            assertTrue(reader.next());
            assertEquals(List.of(2L, "c"), values(reader.current()));
            assertFalse(reader.next());
            assertEquals(1, reader.rejectedRows());
            assertNull(reader.rejectedRowsFile());
        }
    }

    @Test
    void aRowStraddlingASplitBoundaryIsReadOnce() throws IOException {
        // A quoted field with newlines that look like rows sits across the nominal boundary at 16.
        Path file = write("a.csv", "a,b\n1,\"x\n2,y\n3,z\n4,w\"\n5,v\n6,u\n7,t\n8,s\n");
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withMinSplitSizeBytes(8));
        List<Split> splits = source.splits(100);
        assertTrue(splits.size() >= 2, "expected several splits: " + splits);
        assertEquals(List.of(row(1L, "x\n2,y\n3,z\n4,w"), row(5L, "v"), row(6L, "u"), row(7L, "t"), row(8L, "s")),
                readAll(source, splits));
    }

    @Test
    void lineNumbersInLaterSplitsCountFromTheFileStart() throws IOException {
        StringBuilder csv = new StringBuilder("k,v\n");
        for (int i = 0; i < 200; i++) {
            csv.append(i).append(",\"two\nlines\"\n");
        }
        csv.append("oops,x\n");
        Path file = write("a.csv", csv.toString());
        CsvSource source = new CsvSource(CsvSourceConfig.of(file.toString()).withSchema(KV).withMinSplitSizeBytes(100));
        List<Split> splits = source.splits(50);
        assertTrue(splits.size() > 5, "splits: " + splits.size());
        CsvFormatException e = assertThrows(CsvFormatException.class,
                () -> readAll(source, List.of(splits.get(splits.size() - 1))));
        assertEquals(402, e.line());
    }

    /** Random CSV with quoted fields, doubled quotes, separators, CR/LF inside quotes and non-ASCII. */
    private static String randomCsv(Random rnd, int rows, int columns, boolean crlf) {
        String[] alphabet = {"a", "b", "7", ",", "\"", "\n", "\r\n", " ", "é", "日", "x"};
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if (c > 0) {
                    b.append(',');
                }
                StringBuilder f = new StringBuilder();
                int len = rnd.nextInt(rnd.nextInt(10) == 0 ? 60 : 8);
                for (int i = 0; i < len; i++) {
                    f.append(alphabet[rnd.nextInt(alphabet.length)]);
                }
                String v = f.toString();
                boolean mustQuote = v.isEmpty() || v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r");
                if (mustQuote || rnd.nextBoolean()) {
                    b.append('"').append(v.replace("\"", "\"\"")).append('"');
                } else {
                    b.append(v);
                }
            }
            b.append(crlf ? "\r\n" : "\n");
        }
        return b.toString();
    }

    @Test
    void anySplittingReadsWhatOneSplitReads() throws IOException {
        Random rnd = new Random(20261126L);
        Schema schema = null;
        for (int round = 0; round < 60; round++) {
            int columns = 1 + rnd.nextInt(4);
            Path file = write("r" + round + ".csv", randomCsv(rnd, 1 + rnd.nextInt(200), columns, rnd.nextBoolean()));
            SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("R").fields();
            for (int c = 0; c < columns; c++) {
                fields = fields.optionalString("c" + c);
            }
            schema = fields.endRecord();
            CsvSourceConfig config = CsvSourceConfig.of(file.toString()).withHeader(rnd.nextBoolean()).withSchema(schema);
            CsvSource whole = new CsvSource(config);
            List<Split> one = whole.splits(1);
            assertEquals(1, one.size());
            List<List<Object>> expected = readAll(whole, one);

            long size = Files.size(file);
            CsvSource split = new CsvSource(config.withMinSplitSizeBytes(1 + rnd.nextInt((int) Math.max(1, size / 2))));
            List<Split> many = split.splits(1 + rnd.nextInt(64));
            assertEquals(expected, readAll(split, many), "round " + round + " with " + many.size() + " splits");
            long covered = many.stream().mapToLong(Split::sizeBytes).sum();
            assertEquals(size, covered, "splits cover the file exactly");
        }
    }

    @Test
    void withMalformedRowsAnySplittingSkipsAndCountsWhatOneSplitDoes() throws IOException {
        Random rnd = new Random(7);
        String[] broken = {"1,2,3,4,5,6,7\n", "a\"b,c\n", "\"x\"y,z\n", "\"open,\nmore\n", "x\n"};
        for (int round = 0; round < 40; round++) {
            // Splice broken rows in at row boundaries of a valid file: after complete rows only.
            String valid = randomCsv(rnd, 1 + rnd.nextInt(150), 2, false);
            StringBuilder withBroken = new StringBuilder();
            CsvFramerRows rows = new CsvFramerRows(valid);
            for (String row : rows.rows) {
                withBroken.append(row);
                if (rnd.nextInt(8) == 0) {
                    withBroken.append(broken[rnd.nextInt(broken.length)]);
                }
            }
            Path file = write("m" + round + ".csv", withBroken.toString());
            Schema schema = SchemaBuilder.record("R").fields().optionalString("a").optionalString("b").endRecord();
            CsvSourceConfig config = CsvSourceConfig.of(file.toString()).withHeader(false).withSchema(schema)
                    .withPolicy(MalformedRowPolicy.SKIP, null);
            CsvSource whole = new CsvSource(config);
            long[] expectedRejected = new long[1];
            List<List<Object>> expected = readCounting(whole, whole.splits(1), expectedRejected);
            long size = Files.size(file);
            CsvSource split = new CsvSource(config.withMinSplitSizeBytes(1 + rnd.nextInt((int) Math.max(1, size / 2))));
            long[] rejected = new long[1];
            assertEquals(expected, readCounting(split, split.splits(1 + rnd.nextInt(64)), rejected), "round " + round);
            assertEquals(expectedRejected[0], rejected[0], "round " + round);
        }
    }

    /** The rows of a valid CSV text with their line ends, cut where the framer cuts. */
    private static final class CsvFramerRows {
        final List<String> rows = new ArrayList<>();

        CsvFramerRows(String csv) {
            int start = 0;
            int quotes = 0;
            for (int i = 0; i < csv.length(); i++) {
                char c = csv.charAt(i);
                if (c == '"') {
                    quotes ^= 1;
                } else if (c == '\n' && quotes == 0) {
                    rows.add(csv.substring(start, i + 1));
                    start = i + 1;
                }
            }
            if (start < csv.length()) {
                rows.add(csv.substring(start));
            }
        }
    }

    private static List<List<Object>> readCounting(CsvSource source, List<Split> splits, long[] rejected)
            throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        for (Split split : splits) {
            try (CsvReader reader = source.open(Split.fromBytes(split.toBytes()))) {
                while (reader.next()) {
                    rows.add(values(reader.current()));
                }
                rejected[0] += reader.rejectedRows();
            }
        }
        return rows;
    }
}
