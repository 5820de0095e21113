package io.drover.connectors.kafka;

import static io.drover.connectors.kafka.KafkaTestSupport.bytes;
import static io.drover.connectors.kafka.KafkaTestSupport.readAll;
import static io.drover.connectors.kafka.KafkaTestSupport.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.broker.EmbeddedKafka;
import io.drover.connectors.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka source against a real broker. */
class KafkaSourceTest {

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

    @Test
    void aSplitPerPartitionReadsToTheEndCapturedAtPlanning() throws Exception {
        String topic = "three-partitions";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 3);
        List<KafkaRecord> expected = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(kafka.bootstrap(), null)) {
            for (int i = 0; i < 300; i++) {
                byte[] key = i % 7 == 0 ? null : bytes("k" + i);
                byte[] value = bytes("v" + i + " é😀");
                RecordMetadata m = producer.send(new ProducerRecord<>(topic, i % 3, 1_000L + i, key, value)).get();
                expected.add(new KafkaRecord(topic, m.partition(), m.offset(), m.timestamp(), key, value));
            }
        }
        KafkaSource source = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic));
        List<Split> splits = source.splits(8);
        assertEquals(3, splits.size());
        assertTrue(splits.stream().allMatch(s -> s.preferredHosts().equals(List.of("localhost"))), splits.toString());
        // Written after planning: not part of this job's input.
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(kafka.bootstrap(), null)) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, null, bytes("late"))).get();
            }
        }
        List<KafkaRecord> read = readAll(source, splits);
        expected.sort(Comparator.comparingInt(KafkaRecord::partition).thenComparingLong(KafkaRecord::offset));
        assertEquals(expected, read);
        assertNull(read.get(0).key());
        assertEquals("v0 é😀", string(read.get(0).value()));
    }

    @Test
    void recordsOfAbortedTransactionsAreSkipped() throws Exception {
        String topic = "with-aborted";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
        try (KafkaProducer<byte[], byte[]> tx = KafkaTestSupport.producer(kafka.bootstrap(), "test-aborting");
                KafkaProducer<byte[], byte[]> plain = KafkaTestSupport.producer(kafka.bootstrap(), null)) {
            tx.initTransactions();
            writeInTransaction(tx, topic, "committed-1-", 3, true);
            writeInTransaction(tx, topic, "aborted-", 4, false);
            plain.send(new ProducerRecord<>(topic, bytes("plain"))).get();
            writeInTransaction(tx, topic, "committed-2-", 2, true);
            writeInTransaction(tx, topic, "aborted-again-", 5, false);
        }
        KafkaSource source = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic));
        List<String> values = readAll(source, source.splits(1)).stream().map(r -> string(r.value())).toList();
        assertEquals(List.of("committed-1-0", "committed-1-1", "committed-1-2", "plain", "committed-2-0",
                "committed-2-1"), values);
        // The aborted records are in the log all the same.
        assertEquals(15, KafkaTestSupport.uncommittedCount(kafka.bootstrap(), topic, 1));
    }

    private static void writeInTransaction(KafkaProducer<byte[], byte[]> tx, String topic, String prefix, int count,
            boolean commit) throws Exception {
        tx.beginTransaction();
        for (int i = 0; i < count; i++) {
            tx.send(new ProducerRecord<>(topic, bytes(prefix + i))).get();
        }
        if (commit) {
            tx.commitTransaction();
        } else {
            tx.abortTransaction();
        }
    }

    @Test
    void anOpenTransactionEndsTheSplitAtTheLastStableOffset() throws Exception {
        String topic = "with-open";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
        try (KafkaProducer<byte[], byte[]> tx = KafkaTestSupport.producer(kafka.bootstrap(), "test-open");
                KafkaProducer<byte[], byte[]> plain = KafkaTestSupport.producer(kafka.bootstrap(), null)) {
            for (int i = 0; i < 3; i++) {
                plain.send(new ProducerRecord<>(topic, bytes("before-" + i))).get();
            }
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, bytes("open"))).get();
            plain.send(new ProducerRecord<>(topic, bytes("after-open"))).get();
            KafkaSource source = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic));
            List<Split> splits = source.splits(1);
            assertEquals("3", splits.get(0).require(KafkaSource.END));
            // Finite: the reader stops at offset 3 although the transaction is still open.
            assertEquals(List.of("before-0", "before-1", "before-2"),
                    readAll(source, splits).stream().map(r -> string(r.value())).toList());
            tx.abortTransaction();
        }
    }

    @Test
    void anOffsetRangeAndATimestampRange() throws Exception {
        String topic = "ranges";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 2);
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(kafka.bootstrap(), null)) {
            for (int i = 1; i <= 10; i++) {
                for (int p = 0; p < 2; p++) {
                    producer.send(new ProducerRecord<>(topic, p, i * 1000L, null, bytes(p + ":" + i * 1000))).get();
                }
            }
        }
        KafkaSource offsets = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic)
                .withOffsets(Map.of(0, 2L), Map.of(0, 5L, 1, 1L)));
        assertEquals(List.of("0:3000", "0:4000", "0:5000", "1:1000"), values(offsets));

        KafkaSource times = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic).withTimestamps(2500, 5500));
        assertEquals(List.of("0:3000", "0:4000", "0:5000", "1:3000", "1:4000", "1:5000"), values(times));
        KafkaSource from = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic).withTimestamps(9000, -1));
        assertEquals(List.of("0:9000", "0:10000", "1:9000", "1:10000"), values(from));
        KafkaSource none = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic).withTimestamps(20_000, -1));
        assertEquals(List.of(), none.splits(2));
    }

    private static List<String> values(KafkaSource source) throws Exception {
        return readAll(source, source.splits(4)).stream().map(r -> string(r.value())).toList();
    }

    @Test
    void badTopicsAndOffsetsAreNamed() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), "no-such-topic")).splits(1));
        assertTrue(missing.getMessage().contains("no-such-topic"), missing.getMessage());

        String topic = "retention";
        KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(kafka.bootstrap(), null)) {
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("r" + i))).get();
            }
        }
        try (Admin admin = KafkaTestSupport.admin(kafka.bootstrap())) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(3)))
                    .all().get(60, TimeUnit.SECONDS);
        }
        assertEquals(List.of("r3", "r4", "r5"), values(new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic))));
        IllegalArgumentException deleted = assertThrows(IllegalArgumentException.class,
                () -> new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic).withOffsets(Map.of(0, 1L), Map.of()))
                        .splits(1));
        assertEquals(topic + "-0: start offset 1 is before the log start 3 (deleted by retention)", deleted.getMessage());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic).withOffsets(Map.of(), Map.of(0, 99L)))
                        .splits(1));
        assertTrue(past.getMessage().contains("end offset 99 is past the partition's end 6"), past.getMessage());
        IllegalArgumentException noPartition = assertThrows(IllegalArgumentException.class,
                () -> new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic).withOffsets(Map.of(4, 0L), Map.of()))
                        .splits(1));
        assertTrue(noPartition.getMessage().contains("no partition 4"), noPartition.getMessage());
    }

    @Test
    void anEmptyTopicHasNoSplits() throws Exception {
        KafkaTestSupport.createTopic(kafka.bootstrap(), "empty", 2);
        assertEquals(List.of(), new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), "empty")).splits(2));
    }

    @Test
    void configurationIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> KafkaSourceConfig.of("localhost:1", "t")
                .withOffsets(Map.of(0, 5L), Map.of(0, 2L)));
        assertThrows(IllegalArgumentException.class, () -> KafkaSourceConfig.of("localhost:1", "t")
                .withTimestamps(5, 2));
        assertThrows(IllegalArgumentException.class, () -> KafkaSourceConfig.of("localhost:1", "t")
                .withOffsets(Map.of(0, 1L), Map.of()).withTimestamps(1, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaSourceConfig
                .of("localhost:1", "t").withClientProperties(Map.of("isolation.level", "read_uncommitted")));
        assertTrue(e.getMessage().contains("isolation.level"), e.getMessage());
        assertArrayEquals(bytes("x"), KafkaRecord.of(null, bytes("x")).value());
    }
}
