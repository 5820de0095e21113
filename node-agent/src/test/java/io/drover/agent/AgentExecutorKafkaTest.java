package io.drover.agent;

import static io.drover.agent.MasterHarness.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.AgentPartitions;
import io.drover.api.Topics;
import io.drover.api.kafka.TopicSetup;
import io.drover.api.protocol.KillTask;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Executor tasks through a whole agent, against a real Kafka broker, with the test playing the master. */
class AgentExecutorKafkaTest {
    private static final String FW = "fw-1";

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

    private static TaskInfo task(String agentId, String taskId, String what) {
        TaskInfo t = ExecutorSupervisorTest.task(taskId, "e1", what);
        t.setAgentId(agentId);
        return t;
    }

    /** The processes this JVM started before the agent (the broker). */
    private java.util.Set<Long> before;

    /** Whether a Java process started by this JVM since {@link #before} (here only an executor) still runs. */
    private boolean executorProcessesLeft() {
        return ProcessHandle.current().descendants()
                .anyMatch(p -> p.isAlive() && !before.contains(p.pid()) && p.info().command().orElse("").endsWith("/java"));
    }

    /** Acknowledges STARTING and RUNNING of the task and returns its terminal update, acknowledged. */
    private static TaskStatus runThrough(MasterHarness master, int p, String taskId, TaskState terminal) {
        TaskStatus starting = master.awaitUpdate(taskId + " STARTING", update(taskId, TaskState.STARTING));
        master.ack(p, starting);
        master.ack(p, master.awaitUpdate(taskId + " RUNNING", update(taskId, TaskState.RUNNING)));
        TaskStatus end = master.awaitUpdate(taskId + " " + terminal, update(taskId, terminal));
        master.ack(p, end);
        return end;
    }

    /** An agent with fast retries and executor heartbeats, on 2 CPUs and 1 GiB. */
    private AgentConfig agentConfig(String agentId) {
        return AgentConfig.builder(kafka.bootstrap(), workDir)
                .agentId(agentId)
                .hostname("test-host")
                .httpListen("")
                .cpus(2)
                .memMb(1_024)
                .registerRetryInitialMs(100)
                .registerRetryMaxMs(400)
                .statusRetryInitialMs(300)
                .statusRetryMaxMs(1_000)
                .killGracePeriodMs(1_000)
                .executors(ExecutorConfig.DEFAULTS.withHeartbeat(200, 5_000))
                .build();
    }

    /** Starts the agent and registers it through the stand-in master on its command partition. */
    private static void register(MasterHarness master, Agent agent, int p) throws Exception {
        agent.start();
        master.awaitUntil("RegisterAgent", () -> master.countMessages(io.drover.api.protocol.RegisterAgent.class) >= 1);
        master.register(p, p, 1_000);
        master.awaitUntil("registered", agent::isRegistered);
    }

    @Test
    void executorTasksReportThroughTheAcknowledgedPathAndEndWithTheAgent() throws Exception {
        String agentId = "agent-x";
        int p = AgentPartitions.commandPartition(agentId, Topics.agentCommandPartitions());
        AgentConfig config = agentConfig(agentId);
        before = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
        try (MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            try (Agent agent = new Agent(config)) {
                register(master, agent, p);

                master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW).setTasks(List.of(
                        task(agentId, "f1", "finish"), task(agentId, "f2", "fail"), task(agentId, "s1", "sleep"),
                        task(agentId, "s2", "sleep"))).build());
                TaskStatus f1 = runThrough(master, p, "f1", TaskState.FINISHED);
                assertEquals("done f1", f1.getMessage());
                assertEquals(workDir.resolve("sandboxes").resolve(FW).resolve("executor~e1").toString(), f1.getSandboxPath());
                TaskStatus f2 = runThrough(master, p, "f2", TaskState.FAILED);
                assertEquals("asked to fail", f2.getMessage());

                master.ack(p, master.awaitUpdate("s1 STARTING", update("s1", TaskState.STARTING)));
                master.ack(p, master.awaitUpdate("s1 RUNNING", update("s1", TaskState.RUNNING)));
                master.send(p, KillTask.newBuilder().setFrameworkId(FW).setTaskId("s1").setGracePeriodMs(5_000).build());
                TaskStatus killed = master.awaitUpdate("s1 KILLED", update("s1", TaskState.KILLED));
                assertEquals(TaskStatusReason.KILLED_BY_FRAMEWORK, killed.getReason());
                master.ack(p, killed);

                master.ack(p, master.awaitUpdate("s2 STARTING", update("s2", TaskState.STARTING)));
                master.ack(p, master.awaitUpdate("s2 RUNNING", update("s2", TaskState.RUNNING)));
                // Commands are handled in order: once the kill of an unknown task is answered, the
                // ack above was taken, so s2's KILLED at shutdown is the head of its updates and goes out.
                master.send(p, KillTask.newBuilder().setFrameworkId(FW).setTaskId("probe").setGracePeriodMs(0).build());
                master.ack(p, master.awaitUpdate("probe LOST", update("probe", TaskState.LOST)));
                assertTrue(executorProcessesLeft());
            }
            // The agent stopped: its executor was shut down, and s2 reported KILLED at shutdown.
            TaskStatus s2 = master.awaitUpdate("s2 KILLED", update("s2", TaskState.KILLED));
            assertEquals(TaskStatusReason.AGENT_SHUTDOWN, s2.getReason());
            master.awaitUntil("no executor process left", () -> !executorProcessesLeft());
            // The agent told the master, which frees the executor's own resources.
            master.awaitUntil("ExecutorEnded", () -> master.countMessages(io.drover.api.protocol.ExecutorEnded.class) == 1);
            io.drover.api.protocol.ExecutorEnded ended = master.lastMessage(io.drover.api.protocol.ExecutorEnded.class);
            assertEquals(FW, ended.getFrameworkId());
            assertEquals("e1", ended.getExecutorId());
        }
    }

    private static TaskInfo taskWithUri(String agentId, String taskId, String executorId, String what, String url, String sha256) {
        TaskInfo t = ExecutorSupervisorTest.task(taskId, executorId, what);
        t.setAgentId(agentId);
        io.drover.api.protocol.ExecutorInfo e = t.getExecutor();
        io.drover.api.protocol.UriInfo uri = io.drover.api.protocol.UriInfo.newBuilder().setValue(url).setSha256(sha256)
                .setFileName("job.jar").build();
        t.setExecutor(io.drover.api.protocol.ExecutorInfo.newBuilder(e)
                .setCommand(io.drover.api.protocol.CommandInfo.newBuilder(e.getCommand()).setUris(List.of(uri)).build()).build());
        return t;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void anExecutorsUrisAreFetchedOverHttpBeforeItStartsAndABadSha256FailsItsTasksWithBothHashes() throws Exception {
        String agentId = "agent-u";
        int p = AgentPartitions.commandPartition(agentId, Topics.agentCommandPartitions());
        byte[] jar = "the user's jar".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/job.jar", ex -> {
            ex.sendResponseHeaders(200, jar.length);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                out.write(jar);
            }
        });
        http.start();
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/job.jar";
        String wrong = sha256("another jar".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        AgentConfig config = agentConfig(agentId);
        before = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
        try (MasterHarness master = new MasterHarness(kafka.bootstrap(), agentId)) {
            try (Agent agent = new Agent(config)) {
                register(master, agent, p);

                master.send(p, LaunchTasks.newBuilder().setFrameworkId(FW).setTasks(List.of(
                        taskWithUri(agentId, "good", "e1", "has:job.jar", url, sha256(jar)),
                        taskWithUri(agentId, "bad", "e2", "finish", url, wrong))).build());
                TaskStatus good = runThrough(master, p, "good", TaskState.FINISHED);
                assertEquals("found job.jar", good.getMessage());

                master.ack(p, master.awaitUpdate("bad STARTING", update("bad", TaskState.STARTING)));
                TaskStatus bad = master.awaitUpdate("bad FAILED", update("bad", TaskState.FAILED));
                master.ack(p, bad);
                assertEquals(TaskStatusReason.LAUNCH_FAILED, bad.getReason());
                assertTrue(bad.getMessage().contains(url) && bad.getMessage().contains(wrong) && bad.getMessage().contains(sha256(jar)),
                        bad.getMessage());
                // The executor that never started is reported ended, so the master frees what it held for it.
                master.awaitUntil("ExecutorEnded of e2", () -> master.countMessages(io.drover.api.protocol.ExecutorEnded.class) == 1);
                io.drover.api.protocol.ExecutorEnded ended = master.lastMessage(io.drover.api.protocol.ExecutorEnded.class);
                assertEquals("e2", ended.getExecutorId());
                assertTrue(ended.getMessage().startsWith("never started: cannot fetch the URIs of executor e2"), ended.getMessage());
            } finally {
                http.stop(0);
            }
            master.awaitUntil("no executor process left", () -> !executorProcessesLeft());
        }
    }
}
