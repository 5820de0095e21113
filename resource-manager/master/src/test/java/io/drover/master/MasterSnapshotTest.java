package io.drover.master;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.Envelopes;
import io.drover.api.ResourceMath;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.AgentHeartbeat;
import io.drover.api.protocol.AgentMessage;
import io.drover.broker.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots in the master log, on a real broker: a master without local state starts from the latest one. */
class MasterSnapshotTest {
    @TempDir
    Path dir;

    private Master start(EmbeddedKafka kafka, String id) throws InterruptedException {
        Master master = new Master(MasterConfig.defaults(kafka.bootstrap(), dir.resolve("master")).withMasterId(id)
                .withHttpListen("").withSnapshotIntervalRecords(20), Clock.systemUTC());
        master.start();
        assertTrue(master.awaitActive(Duration.ofSeconds(60)));
        return master;
    }

    @Test
    void aMasterWithoutLocalStateRecoversFromTheLatestSnapshot() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            Master first = start(kafka, "m1");
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(KafkaClients.producerProps(kafka.bootstrap(), "t"))) {
                for (int i = 0; i < 60; i++) {
                    String agentId = "agent-" + i;
                    AgentMessage register = Harness.register(agentId, ResourceMath.of(2, 1024, 0, 0), 1);
                    producer.send(new ProducerRecord<>(Topics.AGENTS, agentId.getBytes(StandardCharsets.UTF_8),
                            Codecs.AGENT_MESSAGE.encode(register))).get();
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> first.view() != null && first.view().agents().size() == 60
                    && snapshotPointerExists(kafka));
            // Let a few more records follow the snapshot (heartbeats of the master itself).
            long after = first.view().master().logOffset();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.view().master().logOffset() > after + 3);
            first.close();
            first.awaitStopped();

            // Lose the master's local state entirely.
            try (Stream<Path> files = Files.walk(dir.resolve("master"))) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            long started = System.nanoTime();
            Master second = start(kafka, "m2");
            long recoveryMs = (System.nanoTime() - started) / 1_000_000;
            try {
                assertTrue(second.recoveredFromOffset() > 0, "started at a snapshot, not at offset 0");
                await().atMost(Duration.ofSeconds(10)).until(() -> second.view() != null);
                assertEquals(60, second.view().agents().size());
                assertEquals(first.epoch() + 1, second.epoch());
                System.out.println("recovered from the snapshot at offset " + second.recoveredFromOffset() + " in " + recoveryMs + " ms");
            } finally {
                second.close();
            }
        }
    }

    private static boolean snapshotPointerExists(EmbeddedKafka kafka) {
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(KafkaClients.consumerProps(kafka.bootstrap(), "t"))) {
            TopicPartition tp = new TopicPartition(Topics.MASTER_SNAPSHOTS, 0);
            return c.endOffsets(List.of(tp)).get(tp) > 0;
        }
    }

    static AgentMessage heartbeat(String agentId) {
        return AgentMessage.newBuilder().setHeader(Envelopes.header(agentId, Clock.systemUTC())).setAgentId(agentId)
                .setBody(AgentHeartbeat.newBuilder().setSequence(0).build()).build();
    }
}
