package io.drover.connectors.avro;

import io.drover.connectors.Reader;
import io.drover.connectors.Split;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Measures how fast one split of an Avro container file is read into {@link GenericRecord}s, with
 * each codec. Not a test: run by hand, e.g.
 * {@code java -cp <classpath> io.drover.connectors.avro.AvroReadThroughput 2000000 5 zstd,null}
 * (codecs optional: default all). For each codec it writes that many records (the rows of {@code CsvReadThroughput}: a long, a short
 * string, a double, a boolean and a note that is null in 1 of 10 and a two-line text in 1 of 10;
 * about 45 bytes a record uncompressed) with 64 KiB blocks to a temporary directory, reads the
 * file as one split, and deletes it. It prints MB/s of the file's bytes (compressed) and of the
 * null-codec file's bytes (the same records uncompressed), and records/s.
 */
public final class AvroReadThroughput {

    static final Schema ROW = SchemaBuilder.record("Row").fields()
            .requiredLong("id")
            .requiredString("name")
            .requiredDouble("score")
            .requiredBoolean("flag")
            .optionalString("note")
            .endRecord();

    public static void main(String[] args) throws IOException {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<AvroCodec> codecs = args.length > 2
                ? java.util.Arrays.stream(args[2].split(",")).map(AvroCodec::parse).toList()
                : List.of(AvroCodec.values());
        Path dir = Files.createTempDirectory("drover-avro-throughput");
        try {
            // Uncompressed size: the same records with the null codec, whose file is written for that.
            Path plain = dir.resolve("rows-plain.avro");
            generate(plain, AvroCodec.NULL, records, new Random(42));
            long plainSize = Files.size(plain);
            Files.delete(plain);
            for (AvroCodec codec : codecs) {
                Path file = dir.resolve("rows-" + codec + ".avro");
                try {
                    generate(file, codec, records, new Random(42));
                    long size = Files.size(file);
                    AvroSource source = new AvroSource(AvroSourceConfig.of(file.toString())
                            .withMinSplitSizeBytes(Long.MAX_VALUE / 4));
                    List<Split> splits = source.splits(1);
                    if (splits.size() != 1) {
                        throw new IllegalStateException("expected one split: " + splits);
                    }
                    for (int round = 0; round < rounds; round++) {
                        long t0 = System.nanoTime();
                        long read = read(source, splits.get(0));
                        long nanos = System.nanoTime() - t0;
                        System.out.printf("%-7s round %d: %.0f MB/s of file (%.1f MB), %.0f MB/s uncompressed, "
                                + "%.2f M records/s (%d)%n", codec, round, mbPerS(size, nanos), size / 1e6,
                                mbPerS(plainSize, nanos), read / (nanos / 1e9) / 1e6, read);
                    }
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    private static double mbPerS(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private static long read(AvroSource source, Split split) throws IOException {
        long count = 0;
        try (Reader<GenericRecord> reader = source.open(split)) {
            while (reader.next()) {
                count++;
            }
        }
        return count;
    }

    private static void generate(Path file, AvroCodec codec, int records, Random random) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(ROW))) {
            writer.setCodec(codec.factory());
            writer.create(ROW, out);
            GenericData.Record r = new GenericData.Record(ROW);
            for (int i = 0; i < records; i++) {
                r.put("id", (long) i);
                r.put("name", "name-" + random.nextInt(100_000) + (random.nextInt(10) == 0 ? ", jr" : ""));
                r.put("score", random.nextGaussian() * 100);
                r.put("flag", random.nextBoolean());
                int kind = random.nextInt(10);
                r.put("note", kind == 0 ? null : kind == 1 ? "first line \"quoted\"\nsecond line" : "ok");
                writer.append(r);
            }
        }
    }
}
