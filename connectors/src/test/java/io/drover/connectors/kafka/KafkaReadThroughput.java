package io.drover.connectors.kafka;

import io.drover.broker.EmbeddedKafka;
import io.drover.connectors.Reader;
import io.drover.connectors.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Measures how fast one split (one partition) of a Kafka topic is read with the source's
 * {@code read_committed} consumer. Not a test: run by hand, e.g.
 * {@code java -cp <test classpath> io.drover.connectors.kafka.KafkaReadThroughput 200 5}. It starts
 * the embedded broker (a child JVM on the same machine) in a temporary directory, writes that many
 * MB of 100-byte values with 8-byte keys to a one-partition topic, uncompressed, in committed
 * transactions of 10,000 records, reads the partition as one split, and stops the broker and
 * deletes its data after. MB/s counts key and value bytes.
 */
public final class KafkaReadThroughput {

    public static void main(String[] args) throws Exception {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("drover-kafka-throughput");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            String topic = "throughput";
            KafkaTestSupport.createTopic(kafka.bootstrap(), topic, 1);
            long bytes = produce(kafka.bootstrap(), topic, megabytes * 1_000_000);
            KafkaSource source = new KafkaSource(KafkaSourceConfig.of(kafka.bootstrap(), topic));
            List<Split> splits = source.splits(1);
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                long[] read = read(source, splits.get(0));
                long nanos = System.nanoTime() - t0;
                System.out.printf("round %d: %.0f MB/s, %.2f M records/s (%d records, %.1f MB; %.1f MB written)%n",
                        round, read[1] / 1e6 / (nanos / 1e9), read[0] / (nanos / 1e9) / 1e6, read[0], read[1] / 1e6,
                        bytes / 1e6);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static long produce(String bootstrap, String topic, long bytes) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "throughput-writer");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        Random random = new Random(42);
        long written = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            while (written < bytes) {
                producer.beginTransaction();
                for (int i = 0; i < 10_000 && written < bytes; i++) {
                    byte[] key = new byte[8];
                    byte[] value = new byte[100];
                    random.nextBytes(key);
                    random.nextBytes(value);
                    producer.send(new ProducerRecord<>(topic, key, value));
                    written += key.length + value.length;
                }
                producer.commitTransaction();
            }
        }
        return written;
    }

    private static long[] read(KafkaSource source, Split split) throws IOException {
        long count = 0;
        long bytes = 0;
        try (Reader<KafkaRecord> reader = source.open(split)) {
            while (reader.next()) {
                KafkaRecord r = reader.current();
                count++;
                bytes += r.key().length + r.value().length;
            }
        }
        return new long[] {count, bytes};
    }
}
