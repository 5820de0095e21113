package io.drover.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.api.scheduler.TaskUpdate;
import io.drover.executor.JavaExecutorCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor with running tasks outlives a SIGKILL of its agent ({@code drover agent} as a real
 * process): the next agent run re-attaches to it, its tasks finish, and the framework sees each
 * update once (none lost, none twice, never LOST), a task that finished while no agent ran
 * included. Under {@code --recover=cleanup} the next run kills the executor instead.
 */
class ExecutorCrashTest {
    private static final ResourceSpec TASK = new ResourceSpec(0.05, 4, 0, 0);
    private static final ResourceSpec EXECUTOR = new ResourceSpec(0.5, 128, 0, 0);
    private static final Duration WAIT = CrashCluster.WAIT;

    @TempDir
    Path dir;
    private CrashCluster cluster;
    private ProcessHandle executorProcess;

    private final SeenUpdates seen = new SeenUpdates();

    @AfterEach
    void stopAll() throws IOException {
        for (String f : List.of("release-x", "release-y")) {
            if (!Files.exists(dir.resolve(f))) {
                Files.createFile(dir.resolve(f));
            }
        }
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (executorProcess != null) {
                executorProcess.descendants().forEach(ProcessHandle::destroyForcibly);
                executorProcess.destroyForcibly();
            }
        }
    }

    private void startClusterAndAgent() throws IOException {
        cluster = CrashCluster.start(dir);
        startAgent("reattach");
    }

    /** The executor waits as long as the heartbeat timeout for the next agent run. */
    private void startAgent(String recover) throws IOException {
        cluster.startAgent("--recover", recover, "--executor-heartbeat-timeout", "60s");
    }

    /** The executor's command; its JVM carries this test's directory, so that {@link #findExecutor} finds it and no other. */
    private TaskSpec.ExecutorSpec executor() {
        List<String> argv = JavaExecutorCommand.ofThisJvm(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Ddrover.test.dir=" + dir), EchoExecutor.class.getName());
        return new TaskSpec.ExecutorSpec("echo", argv, Map.of(), EXECUTOR);
    }

    /** The EchoExecutor JVM this test's agent started. */
    private Optional<ProcessHandle> findExecutor() {
        String marker = "-Ddrover.test.dir=" + dir;
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> {
                String line = commandLine(p);
                return line.contains(marker) && line.contains(EchoExecutor.class.getName());
            }).findFirst();
        }
    }

    /** The full command line from /proc (ProcessHandle.Info leaves out long ones). */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Test
    void anExecutorOutlivesAKilledAgentAndIsReattachedWithEveryUpdateDeliveredOnce() throws Exception {
        startClusterAndAgent();
        Map<String, String> data = new LinkedHashMap<>();
        // Run across the crash and finish after the restart.
        data.put("x1", "wait:" + dir.resolve("release-x"));
        data.put("x2", "wait:" + dir.resolve("release-x"));
        // Finishes while no agent runs.
        data.put("y1", "wait:" + dir.resolve("release-y"));
        // Finishes before the crash.
        data.put("z1", "quick");

        SchedulerConfig config = new SchedulerConfig(cluster.bootstrap(), "xcrash-fw", "xcrash", "tester", "*", 600_000, Clock.systemUTC());
        try (SchedulerClient client = new SchedulerClient(config)) {
            client.subscribe(Duration.ofSeconds(30));
            List<String> toLaunch = new ArrayList<>(data.keySet());
            pollUntil(client, "all running and z1 finished", () -> data.keySet().stream().allMatch(t -> phases(t).contains(TaskPhase.RUNNING))
                    && phases("z1").contains(TaskPhase.FINISHED), toLaunch, data);
            String sandbox = running("x1").sandboxPath();
            ProcessHandle exec = findExecutor().orElseThrow(() -> new AssertionError("no executor process"));
            executorProcess = exec;

            cluster.agent().destroyForcibly().waitFor();
            // y1 finishes while no agent runs; the executor keeps running, waiting for the next run.
            Files.createFile(dir.resolve("release-y"));
            await().atMost(WAIT).until(() -> Files.exists(dir.resolve("release-y.seen")));
            assertTrue(exec.isAlive(), "the executor outlived its agent");

            startAgent("reattach");
            assertTrue(exec.isAlive(), "the executor is still the same process");
            pollUntil(client, "y1 finished", () -> phases("y1").contains(TaskPhase.FINISHED), toLaunch, data);
            Files.createFile(dir.resolve("release-x"));
            pollUntil(client, "every task ended", () -> data.keySet().stream()
                    .allMatch(t -> phases(t).stream().anyMatch(TaskPhase::isTerminal)), toLaunch, data);
            // A little longer, for any repeat or stray LOST to show up.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            pollUntil(client, "quiet period", () -> System.nanoTime() > until, toLaunch, data);

            for (String t : data.keySet()) {
                List<TaskPhase> phases = phases(t);
                assertEquals(1, phases.stream().filter(p -> p == TaskPhase.RUNNING).count(), t + " ran once: " + seen.of(t));
                assertEquals(1, phases.stream().filter(TaskPhase::isTerminal).count(), t + " ended once: " + seen.of(t));
                assertTrue(phases.get(phases.size() - 1).isTerminal(), t + " ended last: " + seen.of(t));
                assertTrue(phases.stream().noneMatch(p -> p == TaskPhase.LOST || p == TaskPhase.UNREACHABLE || p == TaskPhase.GONE),
                        t + ": " + seen.of(t));
                TaskUpdate end = last(t);
                assertEquals(TaskPhase.FINISHED, end.phase(), end.toString());
                assertEquals(sandbox, end.sandboxPath(), "the same executor ran " + t);
            }
            assertEquals("saw release-y", last("y1").message());
            assertEquals("saw release-x", last("x1").message());
            assertEquals(seen.updateIds.size(), seen.updateIds.stream().distinct().count(), "the framework saw no update twice");
            assertNotEquals(0, seen.updateIds.size());
            assertTrue(exec.isAlive(), "the re-attached executor runs on, idle");
            client.teardown();
        }
        String second = Files.readString(dir.resolve("agent-2.out"));
        assertTrue(second.contains("re-attached to executor echo"), "the second run says it re-attached");
    }

    @Test
    void cleanupKillsTheExecutorAnAgentRunLeftAndReportsItsTasksKilled() throws Exception {
        startClusterAndAgent();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("k1", "wait:" + dir.resolve("release-x"));
        SchedulerConfig config = new SchedulerConfig(cluster.bootstrap(), "xclean-fw", "xclean", "tester", "*", 600_000, Clock.systemUTC());
        try (SchedulerClient client = new SchedulerClient(config)) {
            client.subscribe(Duration.ofSeconds(30));
            List<String> toLaunch = new ArrayList<>(data.keySet());
            pollUntil(client, "k1 running", () -> phases("k1").contains(TaskPhase.RUNNING), toLaunch, data);
            ProcessHandle exec = findExecutor().orElseThrow(() -> new AssertionError("no executor process"));
            executorProcess = exec;
            cluster.agent().destroyForcibly().waitFor();
            assertTrue(exec.isAlive(), "the executor outlived its agent");

            startAgent("cleanup");
            pollUntil(client, "k1 ended", () -> phases("k1").stream().anyMatch(TaskPhase::isTerminal), toLaunch, data);
            TaskUpdate end = last("k1");
            assertEquals(TaskPhase.KILLED, end.phase(), end.toString());
            assertEquals("AGENT_SHUTDOWN", end.reason(), end.toString());
            await().atMost(WAIT).until(() -> !exec.isAlive());
            assertEquals(1, phases("k1").stream().filter(TaskPhase::isTerminal).count(), seen.toString());
            client.teardown();
        }
    }

    private List<TaskPhase> phases(String taskId) {
        return seen.phases(taskId);
    }

    private TaskUpdate running(String taskId) {
        return seen.running(taskId);
    }

    private TaskUpdate last(String taskId) {
        return seen.last(taskId);
    }

    /** Polls the framework's events, launching the tasks on the first offer that fits and acknowledging updates. */
    private void pollUntil(SchedulerClient client, String what, BooleanSupplier done, List<String> toLaunch, Map<String, String> data) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; seen " + seen);
            for (SchedulerEvent e : client.poll(Duration.ofMillis(100))) {
                if (e instanceof SchedulerEvent.OffersReceived offers) {
                    for (OfferView o : offers.offers()) {
                        if (!toLaunch.isEmpty() && new ResourceSpec(1, 256, 0, 0).fitsIn(o.resources())) {
                            List<TaskSpec> specs = new ArrayList<>();
                            for (String t : List.copyOf(toLaunch)) {
                                specs.add(TaskSpec.forExecutor(t, t, o.agentId(), TASK, executor(), data.get(t).getBytes(StandardCharsets.UTF_8)));
                            }
                            toLaunch.clear();
                            client.accept(List.of(o.offerId()), specs, 0);
                        } else {
                            client.decline(List.of(o.offerId()), 1);
                        }
                    }
                } else if (e instanceof SchedulerEvent.TaskUpdated u) {
                    TaskUpdate update = u.update();
                    seen.add(update);
                    if (update.updateId() != null) {
                        client.acknowledge(update);
                    }
                }
            }
        }
    }
}
