package io.drover.connectors.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import io.drover.connectors.file.FileSinkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSinkTest {

    @TempDir
    Path dir;

    private static final Schema SCHEMA = SchemaBuilder.record("Row").fields()
            .requiredLong("id")
            .optionalString("name")
            .requiredString("text")
            .optionalDouble("score")
            .requiredBoolean("flag")
            .optionalInt("n")
            .endRecord();

    private static GenericRecord record(long id, String name, String text, Double score, boolean flag, Integer n) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", id);
        r.put("name", name);
        r.put("text", text);
        r.put("score", score);
        r.put("flag", flag);
        r.put("n", n);
        return r;
    }

    @Test
    void quotesOnlyWhereNeeded() throws IOException {
        Path out = dir.resolve("out");
        JobCommitter<GenericRecord> job = new CsvSink(FileSinkConfig.of(out), SCHEMA).beginJob("j");
        try (Writer<GenericRecord> w = job.openWriter("0", 0)) {
            w.write(record(1, "plain", "a,b", 1.5, true, 3));
            w.write(record(2, null, "say \"hi\"\nbye", null, false, null));
            w.write(record(3, "", "", -0.25, true, -1));
        }
        job.commitTask("0", 0);
        job.commitJob();
        assertEquals("id,name,text,score,flag,n\r\n"
                + "1,plain,\"a,b\",1.5,true,3\r\n"
                + "2,,\"say \"\"hi\"\"\nbye\",,false,\r\n"
                + "3,\"\",\"\",-0.25,true,-1\r\n", Files.readString(out.resolve("part-00000.csv")));
    }

    @Test
    void aTaskThatFailsHalfwayLeavesNothingVisible() throws IOException {
        Path out = dir.resolve("out");
        JobCommitter<GenericRecord> job = new CsvSink(FileSinkConfig.of(out), SCHEMA).beginJob("j");
        Writer<GenericRecord> failing = job.openWriter("0", 0);
        failing.write(record(1, "half", "written", null, true, null));
        // The attempt dies here; its retry writes the whole output.
        try (Writer<GenericRecord> retry = job.openWriter("0", 1)) {
            retry.write(record(1, "whole", "written", null, true, null));
        }
        assertEquals(true, job.commitTask("0", 1));
        job.commitJob();
        failing.close();
        try (java.util.stream.Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("_SUCCESS", "part-00000.csv"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("id,name,text,score,flag,n\r\n1,whole,written,,true,\r\n",
                Files.readString(out.resolve("part-00000.csv")));
    }

    @Test
    void writeThenReadBackIsEqual() throws IOException {
        Random rnd = new Random(42);
        String[] pieces = {"a", "Z", ",", ";", "\"", "\n", "\r\n", " ", "ü", "日本", "😀", "1", "-"};
        List<GenericRecord> written = new ArrayList<>();
        Path out = dir.resolve("out");
        JobCommitter<GenericRecord> job = new CsvSink(FileSinkConfig.of(out), SCHEMA).beginJob("j");
        for (int task = 0; task < 3; task++) {
            try (Writer<GenericRecord> w = job.openWriter(Integer.toString(task), 0)) {
                for (int i = 0; i < 300; i++) {
                    StringBuilder text = new StringBuilder();
                    for (int k = rnd.nextInt(12); k > 0; k--) {
                        text.append(pieces[rnd.nextInt(pieces.length)]);
                    }
                    GenericRecord r = record(rnd.nextLong(),
                            rnd.nextInt(4) == 0 ? null : rnd.nextInt(4) == 0 ? "" : "n" + i,
                            text.toString(),
                            rnd.nextInt(3) == 0 ? null : rnd.nextGaussian() * 1e6,
                            rnd.nextBoolean(),
                            rnd.nextInt(3) == 0 ? null : rnd.nextInt());
                    w.write(r);
                    written.add(r);
                }
            }
            job.commitTask(Integer.toString(task), 0);
        }
        job.commitJob();

        CsvSource source = new CsvSource(CsvSourceConfig.of(out.toString()).withSchema(SCHEMA).withMinSplitSizeBytes(1000));
        List<List<Object>> read = CsvSourceTest.readAll(source, source.splits(7));
        List<List<Object>> expected = written.stream().map(CsvSourceTest::values).toList();
        assertEquals(expected, read);
    }
}
