package io.drover.agent;

import static io.drover.agent.MasterHarness.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.drover.api.AgentPartitions;
import io.drover.api.Topics;
import io.drover.api.kafka.TopicSetup;
import io.drover.api.protocol.AgentHeartbeat;
import io.drover.api.protocol.KillTask;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.ShutdownAgent;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.UriInfo;
import io.drover.broker.EmbeddedKafka;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a real Kafka broker, with the test playing the master. */
class AgentKafkaTest {
    private static final String FW = "fw-1";
    private static final byte[] GARBAGE = "not an avro message".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path brokerDir;
    private static EmbeddedKafka kafka;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start(brokerDir.resolve("kafka"));
        try (TopicSetup setup = new TopicSetup(kafka.bootstrap())) {
            setup.ensureFixedTopics();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private AgentConfig config(String agentId) {
        return AgentConfig.builder(kafka.bootstrap(), workDir)
                .agentId(agentId)
                .hostname("test-host")
                .httpListen("localhost:0")
                .attributes(Map.of("rack", "r1"))
                .cpus(2)
                .memMb(1_024)
                .reserveMemMb(24)
                .ports(PortRanges.parse("31000-31009,40000"))
                .registerRetryInitialMs(100)
                .registerRetryMaxMs(400)
                .statusRetryInitialMs(300)
                .statusRetryMaxMs(1_000)
                .killGracePeriodMs(1_000)
                .build();
    }

    private static int partitionOf(String agentId) {
        return AgentPartitions.commandPartition(agentId, Topics.agentCommandPartitions());
    }

    @Test
    void registersRunsTasksAndDeliversUpdatesReliably() throws Exception {
        String agentId = "agent-a";
        int p = partitionOf(agentId);
        try (Agent agent = new Agent(config(agentId)); MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            assertEquals(1_000, agent.totalResources().getMemMb());
            agent.start();

            // RegisterAgent is resent until the master answers.
            master.awaitUntil("RegisterAgent twice", () -> master.countMessages(RegisterAgent.class) >= 2);
            RegisterAgent reg = master.lastMessage(RegisterAgent.class);
            assertEquals("test-host", reg.getHostname());
            assertEquals(agent.totalResources(), reg.getTotal());
            assertEquals(List.of(new PortRange(31_000, 31_009), new PortRange(40_000, 40_000)), reg.getTotal().getPorts());
            assertEquals(Map.of("rack", "r1"), reg.getAttributes());
            assertFalse(agent.isRegistered());

            // Garbage before the answer is skipped (and dead-lettered); the answer still counts.
            master.sendRaw(p, GARBAGE);
            master.register(p, p, 100);
            master.awaitUntil("registered", agent::isRegistered);
            master.awaitUntil("heartbeats 0 and 1", () -> master.countMessages(AgentHeartbeat.class) >= 2);
            assertEquals(0, master.agentMessages.stream().filter(m -> m.getBody() instanceof AgentHeartbeat)
                    .map(m -> ((AgentHeartbeat) m.getBody()).getSequence()).findFirst().orElseThrow());
            master.awaitUntil("a dead letter", () -> master.commandDeadLetters.size() == 1);
            assertEquals(p, master.commandDeadLetters.get(0).getSourcePartition());

            master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW).setTasks(List.of(
                    task(agentId, "t1", "sh", "-c", "echo one"),
                    task(agentId, "t2", "sh", "-c", "echo two"))).build());

            // t1's RUNNING stays unacknowledged: it is resent with the same update id, and its
            // FINISHED waits behind it.
            TaskStatus running1 = master.awaitUpdate("t1 RUNNING", update("t1", TaskState.RUNNING));
            master.awaitUntil("t1 RUNNING resent", () -> master.count(s -> s.getUpdateId().equals(running1.getUpdateId())) >= 2);
            assertEquals(0, master.count(update("t1", TaskState.FINISHED)), "only the head of a task is on the wire");

            TaskStatus running2 = master.awaitUpdate("t2 RUNNING", update("t2", TaskState.RUNNING));
            master.ack(p, running2);
            TaskStatus finished2 = master.awaitUpdate("t2 FINISHED", update("t2", TaskState.FINISHED));
            assertEquals("two\n", finished2.getStdoutTail());
            master.ack(p, finished2);

            master.ack(p, running1);
            TaskStatus finished1 = master.awaitUpdate("t1 FINISHED", update("t1", TaskState.FINISHED));
            assertEquals(TaskStatusReason.COMMAND_EXITED, finished1.getReason());
            assertEquals(0, finished1.getExitCode());
            assertEquals("one\n", finished1.getStdoutTail());
            assertEquals(workDir.resolve("sandboxes").resolve(FW).resolve("t1").toString(), finished1.getSandboxPath());
            assertTrue(master.updates.indexOf(running1) < master.updates.indexOf(finished1));
            master.ack(p, finished1);

            // A command for another agent on the same partition is skipped; garbage again is
            // dead-lettered; a kill of an unknown task is answered with LOST.
            master.sendForOtherAgent(p, "someone-else", LaunchTasks.newBuilder().setFrameworkId(FW)
                    .setTasks(List.of(task(agentId, "foreign", "true"))).build());
            master.sendRaw(p, GARBAGE);
            master.send(p, KillTask.newBuilder().setFrameworkId(FW).setTaskId("nope").setGracePeriodMs(0).build());
            TaskStatus lost = master.awaitUpdate("LOST", update("nope", TaskState.LOST));
            assertEquals("unknown task on this agent", lost.getMessage());
            master.ack(p, lost);
            assertEquals(0, master.count(s -> s.getTaskId().equals("foreign")));
            master.awaitUntil("second dead letter", () -> master.commandDeadLetters.size() == 2);

            // Kill a running task.
            master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW)
                    .setTasks(List.of(task(agentId, "sleeper", "sleep", "1000"))).build());
            master.ack(p, master.awaitUpdate("sleeper RUNNING", update("sleeper", TaskState.RUNNING)));
            master.send(p, KillTask.newBuilder().setFrameworkId(FW).setTaskId("sleeper").setGracePeriodMs(1_000).build());
            TaskStatus killed = master.awaitUpdate("sleeper KILLED", update("sleeper", TaskState.KILLED));
            assertEquals(TaskStatusReason.KILLED_BY_FRAMEWORK, killed.getReason());
            master.ack(p, killed);
        }
    }

    @Test
    void shutdownKillsTasksAndARestartKeepsItsIdAndPosition() throws Exception {
        String agentId = "agent-b";
        int p = partitionOf(agentId);
        try (MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            try (Agent agent = new Agent(config(agentId))) {
                agent.start();
                master.awaitUntil("RegisterAgent", () -> master.countMessages(RegisterAgent.class) >= 1);
                master.register(p, p, 5_000);
                master.awaitUntil("registered", agent::isRegistered);
                master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW)
                        .setTasks(List.of(task(agentId, "long", "sleep", "1000"))).build());
                TaskStatus running = master.awaitUpdate("RUNNING", update("long", TaskState.RUNNING));
                master.ack(p, running);

                master.send(p, ShutdownAgent.newBuilder().setReason("test").build());
                assertTrue(agent.awaitTermination(MasterHarness.TIMEOUT));
                TaskStatus killed = master.awaitUpdate("KILLED at shutdown", update("long", TaskState.KILLED));
                assertEquals(TaskStatusReason.AGENT_SHUTDOWN, killed.getReason());
            }
            assertTrue(Files.exists(workDir.resolve(WorkDir.POSITION_FILE)));

            // Same work dir, no id given: same agent. It does not re-read the ShutdownAgent, and it
            // follows the master to another partition without missing the command sent right after.
            AgentConfig again = config(agentId).toBuilder().agentId(null).build();
            try (Agent agent = new Agent(again)) {
                assertEquals(agentId, agent.agentId());
                int registersBefore = (int) master.countMessages(RegisterAgent.class);
                agent.start();
                master.awaitUntil("RegisterAgent again", () -> master.countMessages(RegisterAgent.class) > registersBefore);
                int q = (p + 1) % Topics.agentCommandPartitions();
                assertNotEquals(p, q);
                master.register(p, q, 5_000);
                master.send(q, KillTask.newBuilder().setFrameworkId(FW).setTaskId("ghost").setGracePeriodMs(0).build());
                master.awaitUntil("registered", agent::isRegistered);
                master.ack(q, master.awaitUpdate("LOST via the new partition", update("ghost", TaskState.LOST)));
                assertFalse(agent.awaitTermination(Duration.ZERO), "the old ShutdownAgent was not replayed");
                assertTrue(Files.readString(workDir.resolve(WorkDir.POSITION_FILE)).startsWith(q + " "));
            }
        }
    }

    @Test
    void aRestartResendsFromTheJournalExactlyTheUpdatesThatWereNeverAcknowledged() throws Exception {
        String agentId = "agent-j";
        int p = partitionOf(agentId);
        try (MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            TaskStatus runningDone;
            TaskStatus finishedDone;
            TaskStatus runningUnacked;
            TaskStatus finishedUnacked;
            try (Agent agent = new Agent(config(agentId))) {
                agent.start();
                master.awaitUntil("RegisterAgent", () -> master.countMessages(RegisterAgent.class) >= 1);
                master.register(p, p, 5_000);
                master.awaitUntil("registered", agent::isRegistered);
                master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW).setTasks(List.of(
                        task(agentId, "done", "sh", "-c", "echo done"),
                        task(agentId, "half", "sh", "-c", "echo half"),
                        task(agentId, "none", "sh", "-c", "echo none"))).build());
                // "done": both updates acknowledged; "half": RUNNING acknowledged, FINISHED not;
                // "none": nothing acknowledged, so its FINISHED never left the agent.
                runningDone = master.awaitUpdate("done RUNNING", update("done", TaskState.RUNNING));
                master.ack(p, runningDone);
                finishedDone = master.awaitUpdate("done FINISHED", update("done", TaskState.FINISHED));
                master.ack(p, finishedDone);
                master.ack(p, master.awaitUpdate("half RUNNING", update("half", TaskState.RUNNING)));
                finishedUnacked = master.awaitUpdate("half FINISHED", update("half", TaskState.FINISHED));
                runningUnacked = master.awaitUpdate("none RUNNING", update("none", TaskState.RUNNING));
                // Three acknowledged, three pending (half FINISHED, none RUNNING and FINISHED): the
                // loop has handled (and journaled) the acknowledgements.
                master.awaitUntil("acknowledgements handled", () -> agent.pendingUpdates() == 3);
            }

            int seenBefore = master.updates.size();
            try (Agent agent = new Agent(config(agentId))) {
                agent.start();
                // Resent before the restarted agent is even registered: the journal, not the master, drives it.
                master.awaitUntil("journaled updates resent", () -> resentSince(master, seenBefore, finishedUnacked)
                        && resentSince(master, seenBefore, runningUnacked));
                assertEquals(0, master.updates.subList(seenBefore, master.updates.size()).stream()
                                .filter(s -> s.getTaskId().equals("done") || s.getUpdateId().equals(finishedDone.getUpdateId())
                                        || s.getUpdateId().equals(runningDone.getUpdateId())).count(),
                        "acknowledged updates are not resent");
                assertEquals(0, master.updates.subList(seenBefore, master.updates.size()).stream()
                        .filter(update("none", TaskState.FINISHED)).count(), "none's FINISHED waits behind its RUNNING");
                master.awaitUntil("RegisterAgent again", () -> master.countMessages(RegisterAgent.class) >= 2);
                master.register(p, p, 5_000);
                master.awaitUntil("registered", agent::isRegistered);
                master.ack(p, finishedUnacked);
                master.ack(p, runningUnacked);
                TaskStatus finishedNone = master.awaitUpdate("none FINISHED", update("none", TaskState.FINISHED));
                assertEquals("none\n", finishedNone.getStdoutTail());
                master.ack(p, finishedNone);
                master.awaitUntil("all acknowledged", () -> agent.pendingUpdates() == 0);
            }
            try (StatusJournal journal = StatusJournal.open(workDir.resolve("journal"), 1_000, 0)) {
                assertEquals(List.of(), journal.replay().unacknowledged(), "the third run has nothing to resend");
            }
        }
    }

    private static boolean resentSince(MasterHarness master, int from, TaskStatus update) {
        return master.updates.subList(from, master.updates.size()).stream().anyMatch(s -> s.getUpdateId().equals(update.getUpdateId()));
    }

    @Test
    void aChangedMachineIsRegisteredAgainAsTheSameRun() throws Exception {
        String agentId = "agent-c";
        int p = partitionOf(agentId);
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        FakeMachine machine = new FakeMachine(new ResourceProbe.Measured(4, 8_192, 100_000));
        AgentConfig config = config(agentId).toBuilder().probeIntervalMs(30_000).build();
        try (Agent agent = new Agent(config, clock, machine); MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            agent.start();
            master.awaitUntil("RegisterAgent", () -> master.countMessages(RegisterAgent.class) >= 1);
            RegisterAgent first = master.lastMessage(RegisterAgent.class);
            assertEquals(100_000, first.getTotal().getDiskMb());
            master.register(p, p, 3_600_000);
            master.awaitUntil("registered", agent::isRegistered);

            // The disk filled up, and a GPU appeared.
            machine.set(new ResourceProbe.Measured(4, 8_192, 100_000, 60_000, List.of("Tesla T4")));
            clock.advanceMs(30_000);
            master.awaitUntil("RegisterAgent with the new total", () -> master.lastMessage(RegisterAgent.class).getTotal().getDiskMb() == 60_000);
            RegisterAgent second = master.lastMessage(RegisterAgent.class);
            assertEquals(first.getStartedAtMs(), second.getStartedAtMs(), "the same run, updated");
            assertEquals(1, second.getTotal().getGpus());
            assertEquals(first.getTotal().getPorts(), second.getTotal().getPorts());
            assertEquals(Map.of("rack", "r1", ResourceProbe.GPU_MODEL, "Tesla T4"), second.getAttributes());
            assertEquals(second.getTotal(), agent.totalResources());
            assertEquals(second.getAttributes(), agent.attributes());

            // Until the master answers, the update is resent on the register backoff.
            long registers = master.countMessages(RegisterAgent.class);
            clock.advanceMs(config.registerRetryInitialMs());
            master.awaitUntil("RegisterAgent resent", () -> master.countMessages(RegisterAgent.class) > registers);
            // Answered: no more resends, however far the clock moves, while the machine stays the same.
            master.register(p, p, 3_600_000);
            master.awaitUntil("measurements after the answer", () -> {
                clock.advanceMs(30_000);
                return machine.measurements() >= 5;
            });
            long answered = master.countMessages(RegisterAgent.class);
            master.awaitUntil("more measurements", () -> {
                clock.advanceMs(30_000);
                return machine.measurements() >= 7;
            });
            assertEquals(answered, master.countMessages(RegisterAgent.class));
            assertTrue(agent.isRegistered());
        }
    }

    @Test
    void underMemoryMonitoringATaskOverItsMemoryFailsWithMemoryLimit() throws Exception {
        String agentId = "agent-m";
        int p = partitionOf(agentId);
        AgentConfig config = config(agentId).toBuilder().isolation(AgentConfig.Isolation.MONITOR).memoryCheckIntervalMs(50).build();
        try (Agent agent = new Agent(config); MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            agent.start();
            master.awaitUntil("RegisterAgent", () -> master.countMessages(RegisterAgent.class) >= 1);
            master.register(p, p, 100);
            master.awaitUntil("registered", agent::isRegistered);
            // 16 MiB given, 300 MiB used.
            master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW).setTasks(List.of(
                    task(agentId, "hog", "python3", "-c", "a = bytearray(300 * 1024 * 1024); import time; time.sleep(30)"),
                    task(agentId, "ok", "sh", "-c", "echo fine"))).build());
            // A terminal update waits behind the unacknowledged RUNNING.
            master.ack(p, master.awaitUpdate("hog RUNNING", update("hog", TaskState.RUNNING)));
            master.ack(p, master.awaitUpdate("ok RUNNING", update("ok", TaskState.RUNNING)));
            TaskStatus failed = master.awaitUpdate("hog FAILED", update("hog", TaskState.FAILED));
            assertEquals(TaskStatusReason.MEMORY_LIMIT, failed.getReason());
            assertTrue(failed.getMessage().contains("memory limit of 16 MiB"), failed.getMessage());
            assertEquals(TaskStatusReason.COMMAND_EXITED, master.awaitUpdate("ok FINISHED", update("ok", TaskState.FINISHED)).getReason());
        }
    }

    @Test
    void aTasksUrisAreFetchedOffTheLoopAndASecondTaskIsServedFromTheCache() throws Exception {
        String agentId = "agent-f";
        int p = partitionOf(agentId);
        byte[] content = "#!/bin/sh\necho fetched tool\n".getBytes(StandardCharsets.UTF_8);
        AtomicInteger downloads = new AtomicInteger();
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/tool.sh", exchange -> {
            downloads.incrementAndGet();
            exchange.sendResponseHeaders(200, content.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(content);
            }
        });
        server.start();
        try (Agent agent = new Agent(config(agentId)); MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            agent.start();
            master.awaitUntil("RegisterAgent", () -> master.countMessages(RegisterAgent.class) >= 1);
            master.register(p, p, 100);
            master.awaitUntil("registered", agent::isRegistered);
            UriInfo uri = UriInfo.newBuilder().setValue("http://127.0.0.1:" + server.getAddress().getPort() + "/tool.sh")
                    .setSha256(FetcherTest.sha256(content)).setExecutable(true).build();
            for (String taskId : List.of("f1", "f2")) {
                TaskInfo t = task(agentId, taskId, "./tool.sh");
                t.getCommand().setUris(List.of(uri));
                master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW).setTasks(List.of(t)).build());
                master.ack(p, master.awaitUpdate(taskId + " STARTING", update(taskId, TaskState.STARTING)));
                master.ack(p, master.awaitUpdate(taskId + " RUNNING", update(taskId, TaskState.RUNNING)));
                TaskStatus finished = master.awaitUpdate(taskId + " FINISHED", update(taskId, TaskState.FINISHED));
                assertEquals("fetched tool\n", finished.getStdoutTail());
                master.ack(p, finished);
            }
            assertEquals(1, downloads.get(), "the second task is served from the cache");
        } finally {
            server.stop(0);
        }
    }

    private static TaskInfo task(String agentId, String taskId, String... args) {
        TaskInfo t = TasksTest.task(taskId, args);
        t.setAgentId(agentId);
        return t;
    }
}
