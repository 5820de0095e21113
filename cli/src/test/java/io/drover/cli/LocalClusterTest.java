package io.drover.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.agent.Agent;
import io.drover.api.Topics;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.cli.local.LocalCluster;
import io.drover.framework.exec.ExecFramework;
import io.drover.framework.exec.ExecRequest;
import io.drover.framework.exec.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** A real broker, the master and two agents, with commands run as real processes through exec. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 2, 0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static ExecResult exec(List<String> command, ResourceSpec resources, Duration offerTimeout,
            ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return new ExecFramework(cluster.bootstrap(), Clock.systemUTC(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(new ExecRequest("it", resources, command, Map.of(), offerTimeout, Duration.ofSeconds(30)));
    }

    @Test
    @Order(1)
    void runsTwentyCommandsAndEveryAgentIsWhollyFreeAfterwards() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String[]>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                runs.add(pool.submit(() -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ByteArrayOutputStream err = new ByteArrayOutputStream();
                    ExecResult r = exec(List.of("sh", "-c", "echo out-" + n + "; echo err-" + n + " >&2"),
                            new ResourceSpec(0.25, 32, 0, 0), Duration.ofSeconds(60), out, err);
                    return new String[] {String.valueOf(r.phase()), String.valueOf(r.exitCode()),
                        out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
                }));
            }
            for (int i = 0; i < 20; i++) {
                String[] r = runs.get(i).get();
                assertEquals("FINISHED", r[0], () -> String.join(" | ", r));
                assertEquals("0", r[1]);
                assertEquals("out-" + i + "\n", r[2]);
                assertTrue(r[3].contains("RUNNING") && r[3].contains("err-" + i), r[3]);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEveryAgentIsOfferedWhole();
    }

    /** A fresh framework is offered each agent's whole capacity: nothing leaked. */
    static void assertEveryAgentIsOfferedWhole() {
        Map<String, ResourceSpec> totals = new HashMap<>();
        for (Agent a : cluster.agents()) {
            totals.put(a.agentId(), new ResourceSpec(a.totalResources().getCpus(), a.totalResources().getMemMb(),
                    a.totalResources().getDiskMb(), a.totalResources().getGpus()));
        }
        try (SchedulerClient client = new SchedulerClient(SchedulerConfig.of(cluster.bootstrap(), "checker-" + new Random().nextInt(1 << 30), "checker"))) {
            client.subscribe(Duration.ofSeconds(30));
            Map<String, ResourceSpec> offered = new HashMap<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (SchedulerEvent e : client.poll(Duration.ofMillis(200))) {
                    if (e instanceof SchedulerEvent.OffersReceived offers) {
                        for (OfferView o : offers.offers()) {
                            offered.put(o.agentId(), o.resources());
                        }
                    }
                }
                return offered.equals(totals);
            });
            client.teardown();
        }
    }

    @Test
    @Order(2)
    void exitCodeAndOutputOfAFailingCommandAndARequestNothingFits() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecResult r = exec(List.of("sh", "-c", "echo hello; exit 3"), new ResourceSpec(0.5, 64, 0, 0), Duration.ofSeconds(30), out, err);
        assertEquals(TaskPhase.FAILED, r.phase());
        assertEquals(3, r.exitCode());
        assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));

        ExecResult none = exec(List.of("true"), new ResourceSpec(1000, 64, 0, 0), Duration.ofSeconds(3),
                new ByteArrayOutputStream(), new ByteArrayOutputStream());
        assertEquals(ExecFramework.DROVER_ERROR, none.exitCode());
        assertTrue(none.message().contains("no agent could fit cpus=1000"), none.message());

        ExecResult missing = exec(List.of("/no/such/program"), new ResourceSpec(0.5, 64, 0, 0), Duration.ofSeconds(30),
                new ByteArrayOutputStream(), new ByteArrayOutputStream());
        assertEquals(TaskPhase.FAILED, missing.phase());
    }

    @Test
    @Order(3)
    void garbageOnEveryInputTopicIsDeadLetteredAndEverythingKeepsWorking() throws Exception {
        int sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(KafkaClients.producerProps(cluster.bootstrap(), "garbage"));
                KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(KafkaClients.consumerProps(cluster.bootstrap(), "dl"))) {
            Random random = new Random(3);
            for (String topic : List.of(Topics.AGENTS, Topics.STATUS, Topics.CALLS, Topics.AGENT_COMMANDS)) {
                for (PartitionInfo p : producer.partitionsFor(topic)) {
                    byte[] junk = new byte[1 + random.nextInt(100)];
                    random.nextBytes(junk);
                    producer.send(new ProducerRecord<>(topic, p.partition(), "k".getBytes(StandardCharsets.UTF_8), junk)).get();
                    producer.send(new ProducerRecord<>(topic, p.partition(), null, null)).get();
                    sent++;
                }
            }
            TopicPartition dl = new TopicPartition(Topics.DEAD_LETTERS, 0);
            consumer.assign(List.of(dl));
            // The master reads 9 input partitions; each agent reads its own command partition.
            int expected = 2 * (4 + 4 + 1) + 2 * cluster.agents().size();
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.endOffsets(List.of(dl)).get(dl) >= expected);
        }
        assertTrue(sent > 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecResult r = exec(List.of("echo", "still here"), new ResourceSpec(0.5, 64, 0, 0), Duration.ofSeconds(30),
                out, new ByteArrayOutputStream());
        assertEquals(0, r.exitCode());
        assertEquals("still here\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(cluster.master().isActive());
        assertEveryAgentIsOfferedWhole();
    }

    @Test
    @Order(4)
    void theHttpApiAndTheClusterCommandShowTheAgentsAndTheMetrics() throws Exception {
        String base = "http://" + cluster.master().httpAddress();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.master().view() != null
                && cluster.master().view().agents().size() == 2);
        var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("drover_offers_sent_total"), metrics);
        assertTrue(metrics.contains("drover_agents 2.0"), metrics);
        var badPage = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v1/tasks?limit=0")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badPage.statusCode());

        String status = capture("cluster", "status", "--master", base);
        assertTrue(status.contains("2 agents"), status);
        String agents = capture("cluster", "agents", "--bootstrap", cluster.bootstrap());
        for (Agent a : cluster.agents()) {
            assertTrue(agents.contains(a.agentId()), agents);
        }
        String json = capture("cluster", "tasks", "--json", "--master", base, "--state", "finished");
        assertTrue(json.contains("\"tasks\""), json);
    }

    private static String capture(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Order(5)
    void anOperatorDrainsAnAgentAndBringsItBack() {
        String base = "http://" + cluster.master().httpAddress();
        String agentId = cluster.agents().get(0).agentId();
        String out = capture("agent", "drain", agentId, "--wait", "--timeout", "30s", "--master", base);
        assertTrue(out.contains("DRAINED"), out);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.master().view().agents().stream()
                .anyMatch(a -> a.id().equals(agentId) && a.state().equals("DRAINED")));
        // Work still runs, on the other agent only.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecResult r = exec(List.of("true"), new ResourceSpec(0.25, 32, 0, 0), Duration.ofSeconds(30), new ByteArrayOutputStream(), err);
        assertEquals(0, r.exitCode());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(cluster.agents().get(1).agentId()), err.toString(StandardCharsets.UTF_8));
        capture("agent", "undrain", agentId, "--master", base);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.master().view().agents().stream()
                .anyMatch(a -> a.id().equals(agentId) && a.state().equals("ACTIVE")));
    }

    @Test
    @Order(6)
    void theLogsOfATaskThatEndedCanStillBeRead() {
        ExecResult r = exec(List.of("sh", "-c", "echo finished-output"), new ResourceSpec(0.25, 32, 0, 0), Duration.ofSeconds(30),
                new ByteArrayOutputStream(), new ByteArrayOutputStream());
        assertEquals(0, r.exitCode());
        String base = "http://" + cluster.master().httpAddress();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.master().view().tasks().stream()
                .anyMatch(t -> t.taskId().equals(r.taskId()) && t.state().equals("FINISHED")));
        String logs = capture("task", "logs", r.taskId(), "--master", base);
        assertTrue(logs.contains("finished-output"), logs);
    }
}
