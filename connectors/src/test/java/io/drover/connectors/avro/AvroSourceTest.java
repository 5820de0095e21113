package io.drover.connectors.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.Reader;
import io.drover.connectors.Split;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvroSourceTest {

    @TempDir
    Path dir;

    static final Schema V1 = SchemaBuilder.record("Event").namespace("io.drover.test").fields()
            .requiredLong("id")
            .requiredString("name")
            .optionalDouble("score")
            .requiredString("legacy")
            .endRecord();

    static GenericRecord v1(long id, String name, Double score) {
        GenericData.Record r = new GenericData.Record(V1);
        r.put("id", id);
        r.put("name", name);
        r.put("score", score);
        r.put("legacy", "old-" + id);
        return r;
    }

    /** Writes {@code records} and returns the offset of every sync marker that ends a block. */
    static List<Long> write(Path file, Schema schema, AvroCodec codec, int syncInterval, List<GenericRecord> records)
            throws IOException {
        List<Long> blockEnds = new ArrayList<>();
        try (OutputStream out = Files.newOutputStream(file);
                DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
            writer.setCodec(codec.factory());
            writer.setSyncInterval(syncInterval);
            writer.create(schema, out);
            for (int i = 0; i < records.size(); i++) {
                writer.append(records.get(i));
                // A block of 10 records: known boundaries, for the corruption tests.
                if (i % 10 == 9) {
                    blockEnds.add(writer.sync());
                }
            }
        }
        return blockEnds;
    }

    static List<GenericRecord> randomRecords(Random random, int count) {
        List<GenericRecord> records = new ArrayList<>();
        String[] pieces = {"a", "bc", "é", "日本", "😀", " ", "xyz"};
        for (int i = 0; i < count; i++) {
            StringBuilder name = new StringBuilder();
            for (int k = random.nextInt(8); k > 0; k--) {
                name.append(pieces[random.nextInt(pieces.length)]);
            }
            records.add(v1(i, name.toString(), random.nextInt(4) == 0 ? null : random.nextGaussian()));
        }
        return records;
    }

    /** Reads every split through the wire form, in split order. */
    static List<GenericRecord> readAll(AvroSource source, List<Split> splits) throws IOException {
        List<GenericRecord> records = new ArrayList<>();
        for (Split split : splits) {
            try (Reader<GenericRecord> reader = source.open(Split.fromBytes(split.toBytes()))) {
                while (reader.next()) {
                    records.add(reader.current());
                }
            }
        }
        return records;
    }

    @Test
    void anySplittingReadsEveryRecordOnceInOrderWithEveryCodec() throws IOException {
        Random random = new Random(20261126L);
        for (AvroCodec codec : AvroCodec.values()) {
            List<GenericRecord> records = randomRecords(random, 500);
            Path file = dir.resolve("events-" + codec + ".avro");
            // Small blocks: many sync markers for split boundaries to fall between and on.
            write(file, V1, codec, 64, records);
            long size = Files.size(file);
            for (int round = 0; round < 60; round++) {
                long minSplit = 1 + random.nextInt((int) size + 10);
                AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()).withMinSplitSizeBytes(minSplit));
                List<Split> splits = source.splits(1 + random.nextInt(100));
                String context = codec + " minSplit " + minSplit + " splits " + splits.size();
                assertEquals(records, readAll(source, splits), context);
                assertEquals(size, splits.stream().mapToLong(Split::sizeBytes).sum(), context);
            }
        }
    }

    @Test
    void aBlockStraddlingASplitBoundaryIsReadOnceByTheSplitWhereItsSyncMarkerStarts() throws IOException {
        List<GenericRecord> records = randomRecords(new Random(1), 40);
        Path file = dir.resolve("four-blocks.avro");
        List<Long> blockEnds = write(file, V1, AvroCodec.NULL, 1 << 20, records);
        // The boundary falls inside the second block: the marker before it starts in split 0.
        long secondBlockMiddle = (blockEnds.get(0) + blockEnds.get(1)) / 2;
        AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()).withMinSplitSizeBytes(secondBlockMiddle));
        List<Split> splits = source.splits(Integer.MAX_VALUE);
        assertTrue(splits.size() >= 2, "expected several splits: " + splits);
        List<GenericRecord> first = readAll(source, splits.subList(0, 1));
        assertEquals(records.subList(0, 20), first);
        assertEquals(records, readAll(source, splits));
    }

    @Test
    void aReaderSchemaAddsFieldsWithDefaultsAndDropsFields() throws IOException {
        Path input = Files.createDirectory(dir.resolve("in"));
        write(input.resolve("a.avro"), V1, AvroCodec.DEFLATE, 1000, List.of(v1(1, "one", 0.5), v1(2, "zwei", null)));
        // A second file written by a later version that already has the new field.
        Schema v2Writer = SchemaBuilder.record("Event").namespace("io.drover.test").fields()
                .requiredLong("id")
                .requiredString("name")
                .name("region").type().stringType().stringDefault("unknown")
                .endRecord();
        GenericData.Record later = new GenericData.Record(v2Writer);
        later.put("id", 3L);
        later.put("name", "drei");
        later.put("region", "eu");
        write(input.resolve("b.avro"), v2Writer, AvroCodec.ZSTD, 1000, List.of(later));
        Schema reader = SchemaBuilder.record("Event").namespace("io.drover.test").fields()
                .requiredLong("id")
                .requiredString("name")
                .name("region").type().stringType().stringDefault("unknown")
                .endRecord();
        AvroSource source = new AvroSource(AvroSourceConfig.of(input.toString()).withReaderSchema(reader));
        List<String> read = readAll(source, source.splits(4)).stream()
                .map(r -> r.get("id") + "/" + r.get("name") + "/" + r.get("region") + "/" + r.getSchema().getFields().size())
                .toList();
        assertEquals(List.of("1/one/unknown/3", "2/zwei/unknown/3", "3/drei/eu/3"), read);
    }

    @Test
    void withoutAReaderSchemaTheFirstFileSchemaIsUsedForAll() throws IOException {
        Path file = dir.resolve("a.avro");
        write(file, V1, AvroCodec.SNAPPY, 1000, List.of(v1(1, "x", 1.0)));
        AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()));
        assertEquals(V1, source.schema());
        assertEquals(List.of(v1(1, "x", 1.0)), readAll(source, source.splits(1)));
    }

    @Test
    void anIncompatibleReaderSchemaFailsAtPlanningNamingFileAndField() throws IOException {
        Path file = dir.resolve("a.avro");
        write(file, V1, AvroCodec.NULL, 1000, List.of(v1(1, "x", 1.0)));
        Schema noDefault = SchemaBuilder.record("Event").namespace("io.drover.test").fields()
                .requiredLong("id")
                .requiredString("region")
                .endRecord();
        AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()).withReaderSchema(noDefault));
        IOException e = assertThrows(IOException.class, () -> source.splits(1));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("region"), e.getMessage());
    }

    @Test
    void codecsAreWrittenInTheHeaderAndReadBack() throws IOException {
        List<GenericRecord> records = randomRecords(new Random(3), 200);
        for (AvroCodec codec : AvroCodec.values()) {
            Path file = dir.resolve("c-" + codec + ".avro");
            write(file, V1, codec, 256, records);
            try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
                assertEquals(codec.avroName(), reader.getMetaString("avro.codec"));
            }
            AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()).withMinSplitSizeBytes(500));
            assertEquals(records, readAll(source, source.splits(10)), codec.toString());
        }
        assertEquals(AvroCodec.ZSTD, AvroCodec.parse("zstandard"));
        assertEquals(AvroCodec.ZSTD, AvroCodec.parse("ZSTD"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AvroCodec.parse("lz4"));
        assertTrue(e.getMessage().contains("lz4"), e.getMessage());
    }

    @Test
    void aDamagedSyncMarkerFailsWithTheFileAndTheBlockOffset() throws IOException {
        List<GenericRecord> records = randomRecords(new Random(4), 60);
        Path file = dir.resolve("damaged.avro");
        List<Long> blockEnds = write(file, V1, AvroCodec.NULL, 1 << 20, records);
        // The marker after the third block: bytes [blockEnds[2] - 16, blockEnds[2]).
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(blockEnds.get(2) - 8);
            int b = raf.read();
            raf.seek(blockEnds.get(2) - 8);
            raf.write(b ^ 0xff);
        }
        AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()));
        IOException e = assertThrows(IOException.class, () -> readAll(source, source.splits(1)));
        assertEquals(file + ": corrupted Avro block at byte " + blockEnds.get(1) + ": Invalid sync!", e.getMessage());

        // A split that ends before the damaged block never sees it.
        AvroSource twoSplits = new AvroSource(AvroSourceConfig.of(file.toString()).withMinSplitSizeBytes(blockEnds.get(1) - 20));
        List<Split> splits = twoSplits.splits(Integer.MAX_VALUE);
        assertTrue(splits.size() >= 2, splits.toString());
        assertEquals(records.subList(0, 20), readAll(twoSplits, splits.subList(0, 1)));
    }

    @Test
    void aDamagedSnappyBlockFailsItsChecksumWithTheFileAndTheBlockOffset() throws IOException {
        List<GenericRecord> records = randomRecords(new Random(5), 60);
        Path file = dir.resolve("damaged-snappy.avro");
        List<Long> blockEnds = write(file, V1, AvroCodec.SNAPPY, 1 << 20, records);
        // Overwrite the middle of the second block's compressed data.
        long from = blockEnds.get(0) + 4;
        long to = blockEnds.get(1) - 16 - 4;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (long p = from + (to - from) / 3; p < from + 2 * (to - from) / 3; p++) {
                raf.seek(p);
                raf.write(0x55);
            }
        }
        AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()));
        IOException e = assertThrows(IOException.class, () -> readAll(source, source.splits(1)));
        assertTrue(e.getMessage().startsWith(file + ": corrupted Avro block at byte " + blockEnds.get(0) + ": "),
                e.getMessage());
        // The records before the damaged block were read; after it, the reader keeps failing.
        try (Reader<GenericRecord> reader = source.open(source.splits(1).get(0))) {
            for (int i = 0; i < 10; i++) {
                assertTrue(reader.next());
                assertEquals(records.get(i), reader.current());
            }
            assertThrows(IOException.class, reader::next);
            assertThrows(IOException.class, reader::next);
        }
    }

    @Test
    void aFileThatIsNotAvroIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("not.avro"), "id,name\n1,x\n");
        AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()).withReaderSchema(V1));
        IOException e = assertThrows(IOException.class, () -> source.splits(1));
        assertTrue(e.getMessage().startsWith(file + ": not a readable Avro container file"), e.getMessage());
    }

    @Test
    void emptyFilesGiveNoSplitsAndAFileWithoutBlocksNoRecords() throws IOException {
        Path input = Files.createDirectory(dir.resolve("in"));
        Files.write(input.resolve("a-empty.avro"), new byte[0]);
        write(input.resolve("b-header-only.avro"), V1, AvroCodec.DEFLATE, 1000, List.of());
        AvroSource source = new AvroSource(AvroSourceConfig.of(input.toString()).withMinSplitSizeBytes(10));
        List<Split> splits = source.splits(8);
        assertTrue(splits.stream().allMatch(s -> s.id().contains("b-header-only")), splits.toString());
        assertEquals(List.of(), readAll(source, splits));

        Path onlyEmpty = Files.write(dir.resolve("empty.avro"), new byte[0]);
        assertEquals(List.of(), new AvroSource(AvroSourceConfig.of(onlyEmpty.toString())).splits(4));
    }

    @Test
    void nonAsciiStringsRoundTrip() throws IOException {
        Path file = dir.resolve("utf8.avro");
        List<GenericRecord> records = List.of(v1(1, "Grüße, 世界 😀", null), v1(2, "Ωμέγα", 2.0), v1(3, "", 3.0));
        write(file, V1, AvroCodec.ZSTD, 1000, records);
        AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString()));
        List<String> names = readAll(source, source.splits(1)).stream().map(r -> r.get("name").toString()).toList();
        assertEquals(List.of("Grüße, 世界 😀", "Ωμέγα", ""), names);
    }
}
