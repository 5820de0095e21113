package io.drover.connectors.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import io.drover.connectors.file.FileSinkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvroSinkTest {

    @TempDir
    Path dir;

    private List<String> tree(Path output) throws IOException {
        try (Stream<Path> walk = Files.walk(output)) {
            return walk.filter(Files::isRegularFile).map(p -> output.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void committedTasksReadBackWithTheirCodecAndAFailedAttemptLeavesNothing() throws IOException {
        Random random = new Random(9);
        for (AvroCodec codec : AvroCodec.values()) {
            Path output = dir.resolve("out-" + codec);
            JobCommitter<GenericRecord> job = new AvroSink(FileSinkConfig.of(output), AvroSourceTest.V1, codec, 200)
                    .beginJob("job-1");
            List<GenericRecord> expected = new ArrayList<>();
            for (int task = 0; task < 3; task++) {
                List<GenericRecord> records = AvroSourceTest.randomRecords(random, 100);
                // Attempt 0 writes half its output and fails.
                Writer<GenericRecord> failed = job.openWriter(Integer.toString(task), 0);
                for (GenericRecord r : records.subList(0, 50)) {
                    failed.write(r);
                }
                failed.close();
                job.abortTask(Integer.toString(task), 0);
                try (Writer<GenericRecord> writer = job.openWriter(Integer.toString(task), 1)) {
                    for (GenericRecord r : records) {
                        writer.write(r);
                    }
                }
                assertTrue(job.commitTask(Integer.toString(task), 1));
                expected.addAll(records);
            }
            job.commitJob();
            assertEquals(List.of("_SUCCESS", "part-00000.avro", "part-00001.avro", "part-00002.avro"), tree(output));
            try (DataFileReader<GenericRecord> file = new DataFileReader<>(output.resolve("part-00001.avro").toFile(),
                    new GenericDatumReader<>())) {
                assertEquals(codec.avroName(), file.getMetaString("avro.codec"));
            }
            AvroSource source = new AvroSource(AvroSourceConfig.of(output.toString()).withMinSplitSizeBytes(300));
            assertEquals(expected, AvroSourceTest.readAll(source, source.splits(20)), codec.toString());
        }
    }

    @Test
    void aRetriedTaskShowsOnceAndAnAbortedJobLeavesNothing() throws IOException {
        Path output = dir.resolve("out");
        AvroSink sink = new AvroSink(FileSinkConfig.of(output), AvroSourceTest.V1, AvroCodec.SNAPPY);
        JobCommitter<GenericRecord> job = sink.beginJob("j");
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Writer<GenericRecord> writer = job.openWriter("0", attempt)) {
                writer.write(AvroSourceTest.v1(attempt, "attempt", null));
            }
        }
        assertTrue(job.commitTask("0", 1));
        assertFalse(job.commitTask("0", 0));
        job.commitJob();
        AvroSource source = new AvroSource(AvroSourceConfig.of(output.toString()));
        assertEquals(List.of(AvroSourceTest.v1(1, "attempt", null)), AvroSourceTest.readAll(source, source.splits(2)));

        Path other = dir.resolve("aborted");
        JobCommitter<GenericRecord> aborted = new AvroSink(FileSinkConfig.of(other), AvroSourceTest.V1, AvroCodec.NULL)
                .beginJob("k");
        try (Writer<GenericRecord> writer = aborted.openWriter("0", 0)) {
            writer.write(AvroSourceTest.v1(1, "x", null));
        }
        aborted.commitTask("0", 0);
        aborted.abortJob();
        assertEquals(List.of(), tree(other));
    }

    @Test
    void aRecordOfAnotherSchemaIsRefusedClearly() throws IOException {
        JobCommitter<GenericRecord> job = new AvroSink(FileSinkConfig.of(dir.resolve("out")), AvroSourceTest.V1,
                AvroCodec.NULL).beginJob("j");
        GenericData.Record missing = new GenericData.Record(AvroSourceTest.V1);
        missing.put("id", 1L);
        try (Writer<GenericRecord> writer = job.openWriter("0", 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> writer.write(missing));
            assertTrue(e.getMessage().startsWith("record does not fit the Avro schema io.drover.test.Event"), e.getMessage());
        }
        job.abortJob();
    }
}
