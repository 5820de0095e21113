package io.drover.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.codec.Codec;
import io.drover.api.codec.Codecs;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.kafka.TopicSetup;
import io.drover.broker.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topics and the schema topic, on a real broker. */
class SchemaTopicTest {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start(dir);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void createsTopicsWithTheirLayoutAndIsIdempotent() throws Exception {
        try (TopicSetup setup = new TopicSetup(kafka.bootstrap())) {
            setup.ensureFixedTopics();
            setup.ensureFixedTopics();
            Set<String> names = setup.admin().listTopics().names().get(30, TimeUnit.SECONDS);
            for (Topics.Spec spec : Topics.FIXED) {
                assertTrue(names.contains(spec.name()), spec.name());
                int partitions = setup.admin().describeTopics(List.of(spec.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(spec.name()).partitions().size();
                assertEquals(spec.partitions(), partitions, spec.name());
            }
            ConfigResource schemas = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SCHEMAS);
            String policy = setup.admin().describeConfigs(List.of(schemas)).all().get(30, TimeUnit.SECONDS)
                    .get(schemas).get("cleanup.policy").value();
            assertEquals("compact", policy);
        }
    }

    @Test
    void aConsumerWithoutDroversCodeDecodesAnyMessageFromTheSchemaTopic() throws Exception {
        try (TopicSetup setup = new TopicSetup(kafka.bootstrap());
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(KafkaClients.producerProps(kafka.bootstrap(), "t"))) {
            setup.ensureFixedTopics();
            TopicSetup.publishSchemas(producer);
            producer.send(new ProducerRecord<>(Topics.AGENTS, Codecs.AGENT_MESSAGE.encode(CodecTest.register()))).get();
        }
        Map<Long, Schema> byFingerprint = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(KafkaClients.consumerProps(kafka.bootstrap(), "t"))) {
            TopicPartition tp = new TopicPartition(Topics.SCHEMAS, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Schema s = new Schema.Parser().parse(new String(r.value(), StandardCharsets.UTF_8));
                    byFingerprint.put(Long.parseUnsignedLong(new String(r.key(), StandardCharsets.UTF_8), 16), s);
                }
            }
        }
        for (Codec<?> codec : Codecs.ALL) {
            assertTrue(byFingerprint.containsKey(codec.fingerprint()), codec.type().getSimpleName());
        }
        // Decode an agent message with nothing but the published schema: read the fingerprint,
        // look it up, read the body generically.
        byte[] bytes = Codecs.AGENT_MESSAGE.encode(CodecTest.register());
        long fp = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = byFingerprint.get(fp);
        GenericRecord record = new GenericDatumReader<GenericRecord>(writer)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null));
        assertEquals("agent-1", record.get("agentId").toString());
        assertEquals("host-ü", ((GenericRecord) record.get("body")).get("hostname").toString());
    }
}
