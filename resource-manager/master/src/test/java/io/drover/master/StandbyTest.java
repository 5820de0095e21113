package io.drover.master;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.kafka.KafkaClients;
import io.drover.broker.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warm standbys on a real broker: one master leads, the others follow its log and take over when it falls silent. */
class StandbyTest {
    @TempDir
    Path dir;

    private Master master(EmbeddedKafka kafka, String id) {
        Master m = new Master(MasterConfig.defaults(kafka.bootstrap(), dir.resolve(id)).withMasterId(id).withHttpListen(""),
                Clock.systemUTC());
        m.start();
        return m;
    }

    @Test
    void aStandbyTakesOverWhenTheActiveMasterStopsAndTheOldOneThenStandsBy() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            Master a = master(kafka, "a");
            assertTrue(a.awaitActive(Duration.ofSeconds(60)));
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(KafkaClients.producerProps(kafka.bootstrap(), "t"))) {
                for (int i = 0; i < 5; i++) {
                    String agentId = "agent-" + i;
                    producer.send(new ProducerRecord<>(Topics.AGENTS, agentId.getBytes(StandardCharsets.UTF_8),
                            Codecs.AGENT_MESSAGE.encode(Harness.register(agentId, ResourceMath.of(1, 512, 0, 0), 1)))).get();
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> a.view() != null && a.view().agents().size() == 5);

            Master b = master(kafka, "b");
            // b follows a's log without taking over while a heartbeats.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !b.isActive());

            long stoppedAt = System.nanoTime();
            a.close();
            a.awaitStopped();
            assertTrue(b.awaitActive(Duration.ofSeconds(30)));
            long failoverMs = (System.nanoTime() - stoppedAt) / 1_000_000;
            System.out.println("standby took over " + failoverMs + " ms after the active master stopped");
            assertEquals(a.epoch() + 1, b.epoch());
            await().atMost(Duration.ofSeconds(10)).until(() -> b.view() != null && b.view().agents().size() == 5);

            // The old master, restarted, stands by behind the new one.
            Master again = master(kafka, "a");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !again.isActive());
            assertFalse(again.isActive());
            b.close();
            assertTrue(again.awaitActive(Duration.ofSeconds(30)));
            assertEquals(b.epoch() + 1, again.epoch());
            again.close();
        }
    }
}
