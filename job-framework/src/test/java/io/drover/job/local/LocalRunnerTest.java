package io.drover.job.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.file.FileSinkConfig;
import io.drover.connectors.text.TextLineSink;
import io.drover.connectors.text.TextLineSource;
import io.drover.connectors.text.TextSourceConfig;
import io.drover.job.api.Dataset;
import io.drover.job.api.KeyedDataset;
import io.drover.job.api.Pair;
import io.drover.job.api.TaskContext;
import io.drover.job.builtin.BuiltinJobs;
import io.drover.job.plan.InvalidJobException;
import io.drover.job.plan.PlanOptions;
import io.drover.job.serde.AvroGenericSerde;
import io.drover.job.serde.Serdes;
import io.drover.job.shuffle.ShuffleConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job API's operations, failures and retries, run by the local runner. */
class LocalRunnerTest {

    @TempDir
    Path dir;

    private Path numbers(int files, int perFile) throws Exception {
        Path in = Files.createDirectories(dir.resolve("numbers"));
        int n = 0;
        for (int f = 0; f < files; f++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < perFile; i++) {
                sb.append(n++).append('\n');
            }
            Files.writeString(in.resolve("f" + f), sb);
        }
        return in;
    }

    private static Dataset<String> lines(Path in) {
        String path = in.toString();
        return Dataset.read(() -> new TextLineSource(TextSourceConfig.of(path)));
    }

    private static LocalRunner runner() {
        return new LocalRunner(LocalRunnerConfig.defaults().withShuffle(
                ShuffleConfig.defaults().withBufferBytes(16 << 10).withCombineMaxKeys(50).withMergeFanIn(2)));
    }

    @Test
    void keyedOperationsEqualPlainJava() throws Exception {
        Path in = numbers(3, 2000);
        KeyedDataset<Long, Long> byMod = lines(in).map(Long::parseLong)
                .mapToPair(x -> new Pair<>(x % 97, x), Serdes.longs(), Serdes.longs());
        Map<Long, Long> sums = new TreeMap<>();
        Map<Long, Long> counts = new TreeMap<>();
        Map<Long, List<Long>> groups = new TreeMap<>();
        for (long x = 0; x < 6000; x++) {
            sums.merge(x % 97, x, Long::sum);
            counts.merge(x % 97, 1L, Long::sum);
            groups.computeIfAbsent(x % 97, k -> new ArrayList<>()).add(x);
        }
        try (LocalRunner r = runner()) {
            JobResult reduced = r.run("reduce", byMod.reduceByKey(Long::sum).collect(), PlanOptions.defaults()
                    .withPartitions(4));
            assertEquals(sums, toMap(reduced.collected(Serdes.pair(Serdes.longs(), Serdes.longs()))));
            JobResult reducedLongs = r.run("reduce-longs", byMod.reduceLongsByKey(Long::sum).collect(),
                    PlanOptions.defaults().withPartitions(3));
            assertEquals(sums, toMap(reducedLongs.collected(Serdes.pair(Serdes.longs(), Serdes.longs()))));

            JobResult aggregated = r.run("aggregate", byMod.aggregateByKey(0L, Serdes.longs(), (c, v) -> c + 1,
                    Long::sum).collect(), PlanOptions.defaults().withPartitions(2));
            assertEquals(counts, toMap(aggregated.collected(Serdes.pair(Serdes.longs(), Serdes.longs()))));

            JobResult grouped = r.run("group", byMod.groupByKey().collect(), PlanOptions.defaults());
            Map<Long, List<Long>> got = new TreeMap<>();
            for (Pair<Long, List<Long>> p : grouped.collected(Serdes.pair(Serdes.longs(),
                    Serdes.list(Serdes.longs())))) {
                List<Long> values = new ArrayList<>(p.value());
                values.sort(null);
                got.put(p.key(), values);
            }
            assertEquals(groups, got);

            JobResult distinct = r.run("distinct", lines(in).map(s -> Long.parseLong(s) % 131).distinct(
                    Serdes.longs()).count(), PlanOptions.defaults().withPartitions(3));
            assertEquals(131, distinct.count());

            JobResult count = r.run("count", lines(in).filter(s -> s.endsWith("7")).count(), PlanOptions.defaults());
            assertEquals(600, count.count());
        }
    }

    private static Map<Long, Long> toMap(List<Pair<Long, Long>> pairs) {
        Map<Long, Long> m = new TreeMap<>();
        for (Pair<Long, Long> p : pairs) {
            assertTrue(m.put(p.key(), p.value()) == null, "key " + p.key() + " twice");
        }
        return m;
    }

    @Test
    void sortByKeyWithAComparatorAndMapPartitionsGiveTotalOrder() throws Exception {
        Path in = numbers(4, 1500);
        KeyedDataset<String, Long> keyed = lines(in)
                .mapPartitions(it -> {
                    List<Pair<String, Long>> out = new ArrayList<>();
                    it.forEachRemaining(s -> out.add(new Pair<>(s, (long) s.length())));
                    return out.iterator();
                })
                .mapToPair(p -> p, Serdes.string(), Serdes.longs());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            expected.add(Integer.toString(i));
        }
        expected.sort(Comparator.reverseOrder());
        try (LocalRunner r = runner()) {
            JobResult sorted = r.run("sort-desc", keyed.sortByKey(false).collect(), PlanOptions.defaults()
                    .withPartitions(5));
            List<String> got = sorted.collected(Serdes.pair(Serdes.string(), Serdes.longs())).stream()
                    .map(Pair::key).collect(Collectors.toList());
            assertEquals(expected, got);
            assertTrue(sorted.totalSpills() > 0);
        }
    }

    @Test
    void avroRecordsTravelThroughAShuffle() throws Exception {
        Path in = numbers(2, 500);
        Schema schema = SchemaBuilder.record("Row").fields().requiredLong("n").requiredString("s").endRecord();
        AvroGenericSerde serde = new AvroGenericSerde(schema);
        String json = schema.toString();
        KeyedDataset<Long, GenericRecord> rows = lines(in).mapToPair(s -> {
            GenericRecord rec = new GenericData.Record(new Schema.Parser().parse(json));
            rec.put("n", Long.parseLong(s));
            rec.put("s", "v" + s);
            return new Pair<>(Long.parseLong(s) % 10, rec);
        }, Serdes.longs(), serde);
        try (LocalRunner r = runner()) {
            JobResult result = r.run("avro", rows.groupByKey().mapValues(List::size, Serdes.ints()).collect(),
                    PlanOptions.defaults());
            for (Pair<Long, Integer> p : result.collected(Serdes.pair(Serdes.longs(), Serdes.ints()))) {
                assertEquals(100, p.value());
            }
        }
    }

    @Test
    void aFailingFunctionFailsTheJobNamingStageAndTask() throws Exception {
        Path in = numbers(2, 100);
        Path out = dir.resolve("out");
        String o = out.toString();
        Dataset<String> bad = lines(in).map(s -> {
            if (s.equals("150")) {
                throw new IllegalStateException("bad record " + s);
            }
            return s;
        });
        try (LocalRunner r = runner()) {
            JobFailedException e = assertThrows(JobFailedException.class, () -> r.run("failing",
                    bad.write(() -> new TextLineSink(FileSinkConfig.of(Path.of(o)))), PlanOptions.defaults()));
            assertTrue(e.getMessage().contains("stage 0"), e.getMessage());
            assertTrue(e.getMessage().contains("task 1"), e.getMessage());
            assertTrue(e.getMessage().contains("IllegalStateException: bad record 150"), e.getMessage());
            assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
        }
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
    }

    @Test
    void aRetriedAttemptThatWroteHalfItsOutputLeavesNoDuplicates() throws Exception {
        Path in = numbers(2, 1000);
        Path out = dir.resolve("out");
        String o = out.toString();
        Dataset<String> flaky = lines(in).map(s -> {
            if (TaskContext.current().attempt() == 0 && s.equals("1500")) {
                throw new IllegalStateException("first attempt dies halfway");
            }
            return s;
        });
        JobResult result;
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        JobListener listener = new JobListener() {
            @Override
            public void taskSucceeded(String jobId, io.drover.job.task.TaskResult t) {
                events.add("ok " + t.partition() + "/" + t.attempt() + " committed=" + t.committed());
            }

            @Override
            public void taskFailed(String jobId, io.drover.job.task.TaskFailedException e, boolean willRetry) {
                events.add("failed " + e.partition() + "/" + e.attempt() + " retry=" + willRetry);
            }
        };
        try (LocalRunner r = new LocalRunner(LocalRunnerConfig.defaults(), listener)) {
            result = r.run("flaky", flaky.write(() -> new TextLineSink(
                    FileSinkConfig.of(Path.of(o)).withWriteBufferBytes(16))), PlanOptions.defaults());
        }
        assertEquals(1, result.totalFailedAttempts());
        List<String> sortedEvents = new ArrayList<>(events);
        sortedEvents.sort(null);
        assertEquals(List.of("failed 1/0 retry=true", "ok 0/0 committed=true", "ok 1/1 committed=true"), sortedEvents);
        List<String> got = new ArrayList<>();
        for (int f = 0; f < 2; f++) {
            got.addAll(Files.readAllLines(out.resolve(String.format("part-%05d", f)), StandardCharsets.UTF_8));
        }
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            want.add(Integer.toString(i));
        }
        assertEquals(want, got);
    }

    @Test
    void aMissingInputIsAClearError() {
        Path missing = dir.resolve("nope");
        InvalidJobException e = assertThrows(InvalidJobException.class, () -> BuiltinJobs.wordCount(
                missing.toString(), dir.resolve("out").toString()).plan("wordcount", PlanOptions.defaults()));
        assertEquals("job wordcount: input path does not exist: " + missing, e.getMessage());
    }

    @Test
    void aRetriedMapAttemptIsReadOnceByReducers() throws Exception {
        Path in = numbers(2, 3000);
        KeyedDataset<Long, Long> flaky = lines(in).map(s -> {
            // Past the 16 KiB buffer, so the failed attempt has already spilled.
            if (TaskContext.current().stage() == 0 && TaskContext.current().attempt() == 0 && s.equals("5900")) {
                throw new IllegalStateException("map attempt dies late");
            }
            return Long.parseLong(s);
        }).mapToPair(x -> new Pair<>(x % 10, 1L), Serdes.longs(), Serdes.longs());
        try (LocalRunner r = runner()) {
            JobResult result = r.run("flaky-map", flaky.groupByKey().mapValues(List::size, Serdes.ints()).collect(),
                    PlanOptions.defaults().withPartitions(2));
            assertEquals(1, result.totalFailedAttempts());
            for (Pair<Long, Integer> p : result.collected(Serdes.pair(Serdes.longs(), Serdes.ints()))) {
                assertEquals(600, p.value(), "key " + p.key());
            }
        }
    }

    @Test
    void anOutputThatHoldsDataIsAClearErrorAndIsLeftAlone() throws Exception {
        Path in = numbers(1, 10);
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("part-00000"), "old\n");
        try (LocalRunner r = runner()) {
            InvalidJobException e = assertThrows(InvalidJobException.class, () -> r.run("wc",
                    BuiltinJobs.wordCount(in.toString(), out.toString()), PlanOptions.defaults()));
            assertTrue(e.getMessage().startsWith("job wc: output directory " + out + " already holds data"),
                    e.getMessage());
        }
        assertEquals("old\n", Files.readString(out.resolve("part-00000")));
    }

    @Test
    void anEmptyInputGivesAnEmptyCommittedOutput() throws Exception {
        Path in = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(in.resolve("f"), "");
        Path out = dir.resolve("out");
        try (LocalRunner r = runner()) {
            r.run("wc", BuiltinJobs.wordCount(in.toString(), out.toString()), PlanOptions.defaults());
        }
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertEquals("", Files.readString(out.resolve("part-00000")));
    }

    @Test
    void aLostMapOutputIsRecomputedAndTheResultIsExact() throws Exception {
        Path in = numbers(3, 2000);
        Path work = dir.resolve("work");
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        JobListener loseOutput = new JobListener() {
            @Override
            public void stageFinished(String jobId, JobResult.StageStats stats) {
                if (stats.stage() != 0) {
                    return;
                }
                // As if the host holding map task 1's output died after the map stage.
                try (java.util.stream.Stream<Path> files = Files.walk(work)) {
                    for (Path p : files.filter(p -> p.toString().contains("/shuffle/s0/m1-")).toList()) {
                        Files.delete(p);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public void taskFailed(String jobId, io.drover.job.task.TaskFailedException e, boolean willRetry) {
                failures.add(e.getMessage());
            }
        };
        KeyedDataset<Long, Long> byMod = lines(in).map(Long::parseLong)
                .mapToPair(x -> new Pair<>(x % 10, x), Serdes.longs(), Serdes.longs());
        Map<Long, Long> sums = new TreeMap<>();
        for (long x = 0; x < 6000; x++) {
            sums.merge(x % 10, x, Long::sum);
        }
        try (LocalRunner r = new LocalRunner(LocalRunnerConfig.defaults().withWorkRoot(work), loseOutput)) {
            JobResult result = r.run("lost", byMod.reduceByKey(Long::sum).collect(), PlanOptions.defaults()
                    .withPartitions(2));
            assertEquals(sums, toMap(result.collected(Serdes.pair(Serdes.longs(), Serdes.longs()))));
        }
        assertFalse(failures.isEmpty());
        assertTrue(failures.get(0).contains("map output missing: stage 0 map task 1"), failures.get(0));
    }
}
