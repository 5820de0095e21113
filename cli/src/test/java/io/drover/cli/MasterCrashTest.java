package io.drover.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.api.scheduler.TaskUpdate;
import io.drover.broker.EmbeddedKafka;
import io.drover.master.MasterMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master runs as a real process and is killed with SIGKILL twice while a framework keeps
 * launching tasks; a new master process takes over from RocksDB and the log each time. No
 * launch may be lost or doubled, and no resources may ever be in two outstanding offers.
 */
class MasterCrashTest {
    private static final int TASKS = 30;
    private static final ResourceSpec TASK = new ResourceSpec(0.5, 64, 0, 0);

    @TempDir
    Path dir;
    private EmbeddedKafka kafka;
    private Process master;
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stopAll() throws IOException {
        for (int g = 1; g <= 3; g++) {
            Path out = dir.resolve("master-" + g + ".out");
            if (Files.exists(out)) {
                // Kept in the test report: what each master process said.
                System.out.println("---- master " + g + "\n" + Files.readString(out));
            }
        }
        agents.forEach(Agent::close);
        if (master != null) {
            master.destroyForcibly();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private Process startMaster(int generation) throws IOException {
        Path out = dir.resolve("master-" + generation + ".out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                MasterMain.class.getName(), kafka.bootstrap(), dir.resolve("master").toString(), "master-" + generation)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("ACTIVE epoch=" + generation));
        return p;
    }

    @Test
    void killingTheMasterLosesAndDoublesNothing() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        master = startMaster(1);
        for (int i = 1; i <= 2; i++) {
            Agent agent = new Agent(AgentConfig.builder(kafka.bootstrap(), dir.resolve("agent-" + i))
                    .cpus(2).memMb(1024).diskMb(1024).httpListen("localhost:0").build());
            agent.start();
            agents.add(agent);
        }
        Map<String, ResourceSpec> totals = new HashMap<>();
        for (Agent a : agents) {
            totals.put(a.agentId(), new ResourceSpec(2, 1024, 1024, 0));
        }

        SchedulerConfig config = new SchedulerConfig(kafka.bootstrap(), "crash-fw", "crash", "tester", "*", 600_000, Clock.systemUTC());
        Map<String, OfferView> outstanding = new HashMap<>();
        Map<String, TaskPhase> terminal = new HashMap<>();
        Set<String> accepted = new HashSet<>();
        int generation = 1;
        int next = 0;
        try (SchedulerClient client = new SchedulerClient(config)) {
            client.subscribe(Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (countFinished(terminal) < TASKS || accepted.size() > terminal.size()) {
                assertTrue(System.nanoTime() < deadline, "tasks did not all finish: " + terminal);
                if (generation < 3 && countFinished(terminal) >= 10 * generation) {
                    master.destroyForcibly().waitFor();
                    generation++;
                    master = startMaster(generation);
                }
                for (SchedulerEvent e : client.poll(Duration.ofMillis(100))) {
                    if (e instanceof SchedulerEvent.OffersReceived offers) {
                        for (OfferView o : offers.offers()) {
                            outstanding.put(o.offerId(), o);
                        }
                        assertNoAgentOverOffered(outstanding, totals);
                        for (OfferView o : offers.offers()) {
                            long inFlight = accepted.size() - terminal.size();
                            if (countFinished(terminal) + inFlight < TASKS && TASK.fitsIn(o.resources())) {
                                String id = "t-" + next++;
                                accepted.add(id);
                                client.accept(List.of(o.offerId()), List.of(new TaskSpec(id, id, o.agentId(), TASK,
                                        List.of("sh", "-c", "exit 0"), Map.of())), 0);
                            } else {
                                client.decline(List.of(o.offerId()), 0.2);
                            }
                            outstanding.remove(o.offerId());
                        }
                    } else if (e instanceof SchedulerEvent.OfferRescinded r) {
                        outstanding.remove(r.offerId());
                    } else if (e instanceof SchedulerEvent.TaskUpdated u) {
                        TaskUpdate update = u.update();
                        if (update.phase().isTerminal()) {
                            TaskPhase before = terminal.put(update.taskId(), update.phase());
                            assertEquals(null, before, "second terminal update for " + update.taskId() + ": " + update);
                        }
                        client.acknowledge(update);
                    }
                }
            }
            client.teardown();
        }
        assertEquals(3, generation);
        // Every launch the masters ever committed, read from the agents' command topic.
        Map<String, Integer> launches = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(KafkaClients.consumerProps(kafka.bootstrap(), "audit"))) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(Topics.AGENT_COMMANDS)) {
                parts.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    AgentCommand c = Codecs.AGENT_COMMAND.decode(r.value());
                    if (c.getBody() instanceof LaunchTasks l) {
                        for (TaskInfo t : l.getTasks()) {
                            launches.merge(t.getTaskId(), 1, Integer::sum);
                        }
                    }
                }
            }
        }
        for (Map.Entry<String, TaskPhase> e : terminal.entrySet()) {
            int expected = e.getValue() == TaskPhase.FINISHED ? 1 : 0;
            assertEquals(expected, launches.getOrDefault(e.getKey(), 0), e.getKey() + " ended " + e.getValue());
        }
        launches.forEach((task, n) -> assertEquals(1, n, "launches of " + task));
        assertTrue(terminal.keySet().containsAll(launches.keySet()), "every launched task ended");
        assertTrue(accepted.containsAll(terminal.keySet()));
    }

    private static long countFinished(Map<String, TaskPhase> terminal) {
        return terminal.values().stream().filter(p -> p == TaskPhase.FINISHED).count();
    }

    private static void assertNoAgentOverOffered(Map<String, OfferView> outstanding, Map<String, ResourceSpec> totals) {
        Map<String, double[]> sums = new HashMap<>();
        for (OfferView o : outstanding.values()) {
            double[] s = sums.computeIfAbsent(o.agentId(), k -> new double[2]);
            s[0] += o.resources().cpus();
            s[1] += o.resources().memMb();
        }
        sums.forEach((agent, s) -> assertTrue(s[0] <= totals.get(agent).cpus() + 1e-9 && s[1] <= totals.get(agent).memMb(),
                "agent " + agent + " is in offers of cpus=" + s[0] + " mem=" + s[1]));
    }
}
