package io.drover.connectors.kafka;

import static io.drover.connectors.kafka.KafkaTestSupport.bytes;
import static io.drover.connectors.kafka.KafkaTestSupport.committedValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.broker.EmbeddedKafka;
import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka sink's per-task transactions against a real broker. */
class KafkaSinkTest {

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static List<String> values(String task, int from, int to) {
        List<String> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            values.add(task + "-" + i);
        }
        return values;
    }

    private static void write(Writer<KafkaRecord> writer, List<String> values) throws IOException {
        for (String v : values) {
            writer.write(KafkaRecord.of(0, -1, bytes(v.substring(0, v.indexOf('-'))), bytes(v)));
        }
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }

    @Test
    void aTaskThatFailsHalfwayLeavesNothingVisibleAndItsRetryShowsOnce() throws Exception {
        String topic = "out-halfway";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
        JobCommitter<KafkaRecord> job = new KafkaSink(KafkaSinkConfig.of(kafka.bootstrap(), topic)).beginJob("job-1");

        // Attempt 0 of task a writes half its output, flushes it to the broker, and then dies: no
        // commit, no abort.
        Writer<KafkaRecord> dying = job.openWriter("a", 0);
        write(dying, values("a", 0, 50));
        dying.close();

        try (Writer<KafkaRecord> retry = job.openWriter("a", 1)) {
            write(retry, values("a", 0, 100));
        }
        assertTrue(job.commitTask("a", 1));
        try (Writer<KafkaRecord> other = job.openWriter("b", 0)) {
            write(other, values("b", 0, 100));
        }
        assertTrue(job.commitTask("b", 0));
        // The dead attempt was fenced when its retry opened: it can no longer commit.
        assertFalse(job.commitTask("a", 0));
        job.commitJob();

        List<String> expected = new ArrayList<>(values("a", 0, 100));
        expected.addAll(values("b", 0, 100));
        assertEquals(sorted(expected), sorted(committedValues(kafka.bootstrap(), topic)));
        // The failed attempt's 50 records are in the log, aborted.
        assertEquals(250, KafkaTestSupport.uncommittedCount(kafka.bootstrap(), topic, 1));
    }

    @Test
    void aTaskRetriedAfterItCommittedDoesNotDuplicateEvenFromAnotherCommitter() throws Exception {
        String topic = "out-retried";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 2);
        KafkaSink sink = new KafkaSink(KafkaSinkConfig.of(kafka.bootstrap(), topic));
        JobCommitter<KafkaRecord> job = sink.beginJob("job-2");
        try (Writer<KafkaRecord> first = job.openWriter("0", 0)) {
            write(first, values("t", 0, 20));
        }
        assertTrue(job.commitTask("0", 0));
        // The commit's answer was lost, so the task runs again, here ...
        try (Writer<KafkaRecord> again = job.openWriter("0", 1)) {
            write(again, values("t", 0, 20));
        }
        assertFalse(job.commitTask("0", 1));
        // ... and in another process with its own committer for the same job.
        JobCommitter<KafkaRecord> elsewhere = sink.beginJob("job-2");
        try (Writer<KafkaRecord> third = elsewhere.openWriter("0", 2)) {
            write(third, values("t", 0, 20));
        }
        assertFalse(elsewhere.commitTask("0", 2));
        elsewhere.commitJob();
        job.commitJob();
        assertEquals(sorted(values("t", 0, 20)), sorted(committedValues(kafka.bootstrap(), topic)));
    }

    @Test
    void ofTwoAttemptsRunningAtOnceTheLaterOneWins() throws Exception {
        String topic = "out-speculative";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
        JobCommitter<KafkaRecord> job = new KafkaSink(KafkaSinkConfig.of(kafka.bootstrap(), topic)).beginJob("job-3");
        Writer<KafkaRecord> older = job.openWriter("s", 0);
        write(older, values("old", 0, 10));
        Writer<KafkaRecord> newer = job.openWriter("s", 1);
        write(newer, values("new", 0, 10));
        newer.close();
        boolean olderCommitted;
        try {
            older.close();
            olderCommitted = job.commitTask("s", 0);
        } catch (IOException fenced) {
            job.abortTask("s", 0);
            olderCommitted = false;
        }
        assertFalse(olderCommitted);
        assertTrue(job.commitTask("s", 1));
        job.commitJob();
        assertEquals(values("new", 0, 10), committedValues(kafka.bootstrap(), topic));
    }

    @Test
    void anAbortedJobShowsNothingOfItsOpenAttempts() throws Exception {
        String topic = "out-aborted";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
        JobCommitter<KafkaRecord> job = new KafkaSink(KafkaSinkConfig.of(kafka.bootstrap(), topic)).beginJob("job-4");
        Writer<KafkaRecord> writer = job.openWriter("0", 0);
        write(writer, values("x", 0, 10));
        writer.close();
        job.abortJob();
        assertThrows(IllegalStateException.class, () -> job.commitTask("0", 0));
        assertThrows(IllegalStateException.class, () -> job.openWriter("1", 0));
        assertEquals(List.of(), committedValues(kafka.bootstrap(), topic));
        assertEquals(10, KafkaTestSupport.uncommittedCount(kafka.bootstrap(), topic, 1));
    }

    @Test
    void aCopyJobKeepsPartitionsTimestampsKeysAndValues() throws Exception {
        String in = "copy-in";
        String out = "copy-out";
        KafkaTestSupport.createTopic(kafka.bootstrap(), in, 3);
        KafkaTestSupport.createTopic(kafka.bootstrap(), out, 3);
        try (var producer = KafkaTestSupport.producer(kafka.bootstrap(), null)) {
            for (int i = 0; i < 90; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(in, i % 3, 5_000L + i,
                        i % 5 == 0 ? null : bytes("k" + i), bytes("ü" + i))).get();
            }
        }
        KafkaSource source = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), in));
        JobCommitter<KafkaRecord> job = new KafkaSink(KafkaSinkConfig.of(kafka.bootstrap(), out)).beginJob("copy");
        List<io.drover.connectors.Split> splits = source.splits(3);
        for (int task = 0; task < splits.size(); task++) {
            try (io.drover.connectors.Reader<KafkaRecord> reader = source.open(splits.get(task));
                    Writer<KafkaRecord> writer = job.openWriter(Integer.toString(task), 0)) {
                while (reader.next()) {
                    writer.write(reader.current());
                }
            }
            assertTrue(job.commitTask(Integer.toString(task), 0));
        }
        job.commitJob();
        KafkaSource copy = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), out));
        List<String> expected = KafkaTestSupport.readAll(source, splits).stream().map(KafkaSinkTest::describe).toList();
        List<String> copied = KafkaTestSupport.readAll(copy, copy.splits(3)).stream().map(KafkaSinkTest::describe).toList();
        assertEquals(90, copied.size());
        assertEquals(expected, copied);
    }

    private static String describe(KafkaRecord r) {
        return r.partition() + "/" + r.timestampMs() + "/" + KafkaTestSupport.string(r.key()) + "/"
                + KafkaTestSupport.string(r.value());
    }

    @Test
    void misuseIsRefusedClearly() throws Exception {
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> new KafkaSink(KafkaSinkConfig.of(kafka.bootstrap(), "no-such-output")).beginJob("j"));
        assertTrue(missing.getMessage().contains("no-such-output"), missing.getMessage());
        String topic = "out-misuse";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
        JobCommitter<KafkaRecord> job = new KafkaSink(KafkaSinkConfig.of(kafka.bootstrap(), topic)).beginJob("job-5");
        assertThrows(IllegalStateException.class, () -> job.commitTask("0", 0));
        Writer<KafkaRecord> writer = job.openWriter("0", 0);
        assertThrows(IllegalStateException.class, () -> job.openWriter("0", 0));
        assertThrows(IllegalStateException.class, () -> job.commitTask("0", 0));
        assertThrows(IllegalArgumentException.class, () -> job.openWriter("bad/id", 0));
        writer.close();
        job.abortTask("0", 0);
        job.abortTask("0", 0);
        job.commitJob();
        assertThrows(IllegalArgumentException.class, () -> KafkaSinkConfig.of("localhost:1", "t")
                .withClientProperties(java.util.Map.of("transactional.id", "mine")));
    }
}
