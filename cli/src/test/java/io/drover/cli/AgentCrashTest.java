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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent runs as a real process ({@code drover agent}) and is killed with SIGKILL while its
 * tasks run; a new agent process on the same work directory re-attaches to them. Every status
 * update reaches the framework, none is lost, and the framework sees none twice.
 */
class AgentCrashTest {
    private static final ResourceSpec TASK = new ResourceSpec(0.25, 32, 0, 0);
    private static final Duration WAIT = CrashCluster.WAIT;

    @TempDir
    Path dir;
    private CrashCluster cluster;

    private final SeenUpdates seen = new SeenUpdates();
    private final List<TaskUpdate> heldAcks = new ArrayList<>();
    private boolean holdAcks;

    @AfterEach
    void stopAll() throws IOException {
        // Whatever happened, the tasks' loops end: they wait for these files.
        for (String f : List.of("release", "release-b")) {
            if (!Files.exists(dir.resolve(f))) {
                Files.createFile(dir.resolve(f));
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killingTheAgentLosesAndDoublesNoStatusUpdateAndItsTasksRunOn() throws Exception {
        cluster = CrashCluster.start(dir);
        cluster.startAgent("--recover", "reattach");

        String wait = "while [ ! -e " + dir.resolve("release") + " ]; do sleep 0.05; done; ";
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            // Run across the crash, and finish after the restart.
            commands.put("a" + i, List.of("sh", "-c", wait + "echo out-$DROVER_TASK_ID"));
        }
        // Ends with code 3 while the agent is down.
        commands.put("b1", List.of("sh", "-c", "while [ ! -e " + dir.resolve("release-b") + " ]; do sleep 0.05; done; exit 3"));
        // Ends before the crash; the framework acknowledges its end only after the restart.
        commands.put("c1", List.of("sh", "-c", "echo quick"));

        SchedulerConfig config = new SchedulerConfig(cluster.bootstrap(), "crash-fw", "crash", "tester", "*", 600_000, Clock.systemUTC());
        try (SchedulerClient client = new SchedulerClient(config)) {
            client.subscribe(Duration.ofSeconds(30));
            List<String> toLaunch = new ArrayList<>(commands.keySet());
            holdAcks = true;
            pollUntil(client, "all tasks running and c1 finished", () -> {
                return commands.keySet().stream().allMatch(t -> phases(t).contains(TaskPhase.RUNNING))
                        && phases("c1").contains(TaskPhase.FINISHED);
            }, toLaunch, commands);
            List<String> sandboxes = commands.keySet().stream().map(t -> running(t).sandboxPath()).toList();

            cluster.agent().destroyForcibly().waitFor();
            // b1 ends while no agent runs; its wrapper records the exit code in the sandbox.
            Files.createFile(dir.resolve("release-b"));
            Path b1Exit = Path.of(running("b1").sandboxPath()).resolve(".drover-exit");
            await().atMost(WAIT).until(() -> Files.exists(b1Exit));
            assertEquals("3", Files.readString(b1Exit).trim());
            assertTrue(stillRunning("out-$DROVER_TASK_ID"), "the a tasks outlived the agent");

            cluster.startAgent("--recover", "reattach");
            holdAcks = false;
            for (TaskUpdate held : heldAcks) {
                client.acknowledge(held);
            }
            pollUntil(client, "b1 failed", () -> phases("b1").stream().anyMatch(TaskPhase::isTerminal), toLaunch, commands);
            Files.createFile(dir.resolve("release"));
            pollUntil(client, "every task ended", () -> commands.keySet().stream()
                    .allMatch(t -> phases(t).stream().anyMatch(TaskPhase::isTerminal)), toLaunch, commands);
            // A little longer, for any repeat or stray LOST to show up.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            pollUntil(client, "quiet period", () -> System.nanoTime() > until, toLaunch, commands);

            for (String t : commands.keySet()) {
                List<TaskPhase> phases = phases(t);
                assertEquals(1, phases.stream().filter(p -> p == TaskPhase.RUNNING).count(), t + " ran once: " + seen.of(t));
                assertEquals(1, phases.stream().filter(TaskPhase::isTerminal).count(), t + " ended once: " + seen.of(t));
                assertTrue(phases.get(phases.size() - 1).isTerminal(), t + " ended last: " + seen.of(t));
                assertTrue(phases.stream().noneMatch(p -> p == TaskPhase.LOST || p == TaskPhase.UNREACHABLE || p == TaskPhase.GONE),
                        t + ": " + seen.of(t));
            }
            for (int i = 1; i <= 3; i++) {
                TaskUpdate end = last("a" + i);
                assertEquals(TaskPhase.FINISHED, end.phase(), end.toString());
                assertEquals(0, end.exitCode());
                assertEquals("out-a" + i + "\n", end.stdoutTail(), "output written while the agent was down is kept");
                assertEquals(sandboxes.get(i - 1), end.sandboxPath(), "the same run, re-attached, not relaunched");
            }
            TaskUpdate b1 = last("b1");
            assertEquals(TaskPhase.FAILED, b1.phase(), b1.toString());
            assertEquals(3, b1.exitCode());
            assertEquals(TaskPhase.FINISHED, last("c1").phase());
            assertEquals(seen.updateIds.size(), seen.updateIds.stream().distinct().count(), "the framework saw no update twice");
            assertNotEquals(0, seen.updateIds.size());
            client.teardown();
        }
        assertTrue(Files.readString(dir.resolve("agent-2.out")).contains("re-attached to task a1"),
                "the second run says it re-attached");
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

    /** Whether a process whose command line mentions {@code marker} runs (the a tasks' loops do). */
    private static boolean stillRunning(String marker) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.anyMatch(p -> p.info().commandLine().orElse("").contains(marker));
        }
    }

    /** Polls the framework's events, launching the tasks on the first offers and acknowledging updates. */
    private void pollUntil(SchedulerClient client, String what, BooleanSupplier done, List<String> toLaunch,
                           Map<String, List<String>> commands) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; seen " + seen);
            for (SchedulerEvent e : client.poll(Duration.ofMillis(100))) {
                if (e instanceof SchedulerEvent.OffersReceived offers) {
                    for (OfferView o : offers.offers()) {
                        if (!toLaunch.isEmpty() && TASK.fitsIn(o.resources())) {
                            List<TaskSpec> specs = new ArrayList<>();
                            for (String t : List.copyOf(toLaunch)) {
                                specs.add(new TaskSpec(t, t, o.agentId(), TASK, commands.get(t), Map.of()));
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
                    if (!update.needsAcknowledgement()) {
                        continue;
                    }
                    if (holdAcks && update.taskId().equals("c1") && update.phase().isTerminal()) {
                        heldAcks.add(update);
                    } else {
                        client.acknowledge(update);
                    }
                }
            }
        }
    }
}
