package io.drover.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.executor.ChronicleFlags;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real executor processes (a Java {@link TestExecutor}) under a supervisor driven by the test thread, without Kafka. */
class ExecutorSupervisorTest {
    private static final String AGENT = "agent-1";
    private static final String FW = "fw";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path sandboxes;

    private final Clock clock = Clock.systemUTC();
    private final List<TaskStatus> updates = new ArrayList<>();
    /** What the supervisor reported as ended, for the master. */
    private final List<String> ended = new ArrayList<>();
    private ExecutorSupervisor supervisor;

    private void start(ExecutorConfig config) {
        supervisor = new ExecutorSupervisor(config, AGENT, new StatusFactory(AGENT, clock),
                new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES),
                Isolator.NONE, clock, 2_000, () -> { }, (key, how) -> ended.add(key.executorId() + ": " + how));
    }

    @AfterEach
    void tearDown() {
        if (supervisor != null) {
            supervisor.stopAll(1_000);
            assertEquals(0, supervisor.executors());
        }
    }

    static ExecutorInfo executor(String id) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        argv.addAll(ChronicleFlags.JVM_ARGS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), TestExecutor.class.getName()));
        return ExecutorInfo.newBuilder()
                .setExecutorId(id)
                .setCommand(CommandInfo.newBuilder().setArguments(argv).build())
                .setResources(ResourceMath.of(1, 256, 0, 0))
                .build();
    }

    static TaskInfo task(String taskId, String executorId, String what) {
        return TaskInfo.newBuilder()
                .setTaskId(taskId)
                .setName(taskId)
                .setAgentId(AGENT)
                .setResources(ResourceMath.of(0.01, 1, 0, 0))
                .setCommand(CommandInfo.newBuilder().setArguments(List.of()).build())
                .setExecutor(executor(executorId))
                .setData(ByteBuffer.wrap(what.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    private TaskStatus launch(String taskId, String executorId, String what) {
        TaskStatus s = supervisor.launch(FW, task(taskId, executorId, what));
        assertEquals(TaskState.STARTING, s.getState(), s.getMessage());
        return s;
    }

    /** Runs the loop's part (timers and handoff) on this thread until the condition holds. */
    private void pumpUntil(String what, java.util.function.BooleanSupplier condition) {
        await(what).atMost(WAIT).pollInSameThread().pollInterval(Duration.ofMillis(5)).until(() -> {
            updates.addAll(supervisor.drain());
            updates.addAll(supervisor.tick(clock.millis()));
            return condition.getAsBoolean();
        });
    }

    private List<TaskStatus> of(String taskId) {
        return updates.stream().filter(u -> u.getTaskId().equals(taskId)).collect(Collectors.toList());
    }

    private TaskStatus terminalOf(String taskId) {
        return of(taskId).stream().filter(u -> isTerminal(u.getState())).findFirst().orElse(null);
    }

    private boolean has(String taskId, Predicate<TaskStatus> p) {
        return of(taskId).stream().anyMatch(p);
    }

    private static boolean isTerminal(TaskState s) {
        return s == TaskState.FINISHED || s == TaskState.FAILED || s == TaskState.KILLED;
    }

    @Test
    void oneExecutorRunsAHundredTasksEachRunningThenFinished() {
        start(ExecutorConfig.DEFAULTS);
        for (int i = 0; i < 100; i++) {
            launch("t" + i, "e1", "finish");
        }
        assertEquals(1, supervisor.executors());
        pumpUntil("100 tasks finished", () -> updates.stream().filter(u -> u.getState() == TaskState.FINISHED).count() == 100);
        for (int i = 0; i < 100; i++) {
            List<TaskState> states = of("t" + i).stream().map(TaskStatus::getState).toList();
            assertEquals(List.of(TaskState.RUNNING, TaskState.FINISHED), states, "t" + i);
            assertEquals("done t" + i, terminalOf("t" + i).getMessage());
        }
        Path sandbox = sandboxes.resolve(FW).resolve("executor~e1");
        assertEquals(sandbox.toString(), terminalOf("t0").getSandboxPath());
        assertTrue(Files.isDirectory(sandbox.resolve("queues").resolve("to-executor")));
        assertEquals(0, supervisor.badMessages());
        assertEquals(0, supervisor.updatesOwed());
    }

    @Test
    void killOfOneTaskEndsItKilledAndLeavesTheOtherRunning() {
        start(ExecutorConfig.DEFAULTS);
        launch("a", "e1", "sleep");
        launch("b", "e1", "sleep");
        pumpUntil("both running", () -> has("a", u -> u.getState() == TaskState.RUNNING) && has("b", u -> u.getState() == TaskState.RUNNING));
        assertTrue(supervisor.kill(FW, "a", 10_000));
        pumpUntil("a killed", () -> terminalOf("a") != null);
        TaskStatus killed = terminalOf("a");
        assertEquals(TaskState.KILLED, killed.getState());
        assertEquals(TaskStatusReason.KILLED_BY_FRAMEWORK, killed.getReason());
        assertEquals("stopped on request", killed.getMessage());
        assertNull(terminalOf("b"));
        assertTrue(supervisor.has(FW, "b"));
        assertFalse(supervisor.kill(FW, "nope", 0));
    }

    @Test
    void killMinus9OfTheExecutorFailsItsTasksWithExecutorTerminated() {
        start(ExecutorConfig.DEFAULTS);
        launch("a", "e1", "sleep");
        launch("b", "e1", "sleep");
        pumpUntil("both running", () -> has("a", u -> u.getState() == TaskState.RUNNING) && has("b", u -> u.getState() == TaskState.RUNNING));
        ProcessHandle process = supervisor.process(FW, "e1");
        assertNotNull(process);
        assertTrue(process.destroyForcibly());
        pumpUntil("both ended", () -> terminalOf("a") != null && terminalOf("b") != null);
        for (String t : List.of("a", "b")) {
            assertEquals(TaskState.FAILED, terminalOf(t).getState(), t);
            assertEquals(TaskStatusReason.EXECUTOR_TERMINATED, terminalOf(t).getReason(), t);
            assertTrue(terminalOf(t).getMessage().contains("exited with code 137"), terminalOf(t).getMessage());
        }
        assertEquals(0, supervisor.executors());
        assertEquals(List.of("e1: exited with code 137"), ended);
        // The next task starts a new executor in a new sandbox.
        launch("c", "e1", "finish");
        pumpUntil("c finished", () -> terminalOf("c") != null);
        assertEquals(TaskState.FINISHED, terminalOf("c").getState());
        assertEquals(sandboxes.resolve(FW).resolve("executor~e1~2").toString(), terminalOf("c").getSandboxPath());
    }

    @Test
    void anIdleExecutorIsToldToShutDownAndExitsByItself() {
        start(ExecutorConfig.DEFAULTS.withIdleTimeoutMs(300));
        launch("a", "e1", "finish");
        pumpUntil("a finished", () -> terminalOf("a") != null);
        ProcessHandle process = supervisor.process(FW, "e1");
        assertNotNull(process);
        pumpUntil("executor gone", () -> supervisor.executors() == 0);
        assertFalse(process.isAlive());
        assertEquals(2, updates.size(), "no update for an idle shutdown: " + updates);
        assertEquals(List.of("e1: exited with code 0"), ended);
    }

    @Test
    void anExecutorThatDoesNotConfirmAKillIsKilledWithItsTasks() {
        start(ExecutorConfig.DEFAULTS);
        launch("stubborn", "e1", "ignore-kill");
        launch("other", "e1", "sleep");
        pumpUntil("both running", () -> has("stubborn", u -> u.getState() == TaskState.RUNNING)
                && has("other", u -> u.getState() == TaskState.RUNNING));
        assertTrue(supervisor.kill(FW, "stubborn", 300));
        pumpUntil("both ended", () -> terminalOf("stubborn") != null && terminalOf("other") != null);
        assertEquals(TaskState.KILLED, terminalOf("stubborn").getState());
        assertEquals(TaskStatusReason.KILLED_BY_FRAMEWORK, terminalOf("stubborn").getReason());
        assertEquals(TaskState.FAILED, terminalOf("other").getState());
        assertEquals(TaskStatusReason.EXECUTOR_TERMINATED, terminalOf("other").getReason());
        pumpUntil("executor gone", () -> supervisor.executors() == 0);
    }

    @Test
    void aHungExecutorIsKilledAfterTheHeartbeatTimeoutWithItsTasks() {
        start(ExecutorConfig.DEFAULTS.withHeartbeat(100, 1_500));
        launch("a", "e1", "sleep");
        pumpUntil("a running", () -> has("a", u -> u.getState() == TaskState.RUNNING));
        launch("b", "e1", "freeze");
        pumpUntil("both ended", () -> terminalOf("a") != null && terminalOf("b") != null);
        for (String t : List.of("a", "b")) {
            assertEquals(TaskState.FAILED, terminalOf(t).getState(), t);
            assertEquals(TaskStatusReason.EXECUTOR_TERMINATED, terminalOf(t).getReason(), t);
            assertTrue(terminalOf(t).getMessage().startsWith("no message from executor e1 for "), terminalOf(t).getMessage());
        }
        pumpUntil("executor gone", () -> supervisor.executors() == 0);
        assertEquals(1, ended.size(), ended.toString());
    }

    @Test
    void garbageOnTheExecutorsQueueIsSkippedAndTasksStillRun() {
        start(ExecutorConfig.DEFAULTS);
        launch("a", "e1", "finish");
        supervisor.channel(FW, "e1").appendRaw(new byte[] {1, 2, 3, 4, 5});
        supervisor.channel(FW, "e1").appendRaw(new byte[] {0});
        launch("b", "e1", "finish");
        pumpUntil("both finished", () -> terminalOf("a") != null && terminalOf("b") != null);
        assertEquals(TaskState.FINISHED, terminalOf("b").getState());
    }

    @Test
    void badTasksFailWithoutStartingAnExecutor() {
        start(ExecutorConfig.DEFAULTS.withMaxExecutors(1));
        TaskInfo bad = TaskInfo.newBuilder(task("x", "e/1", "finish")).build();
        TaskStatus s = supervisor.launch(FW, bad);
        assertEquals(TaskState.FAILED, s.getState());
        assertEquals(TaskStatusReason.INVALID_TASK, s.getReason());
        TaskInfo noCommand = TaskInfo.newBuilder(task("y", "e1", "finish"))
                .setExecutor(ExecutorInfo.newBuilder(executor("e1")).setCommand(CommandInfo.newBuilder().setArguments(List.of()).build()).build())
                .build();
        assertEquals(TaskStatusReason.INVALID_TASK, supervisor.launch(FW, noCommand).getReason());
        launch("a", "e1", "sleep");
        TaskStatus second = supervisor.launch(FW, task("b", "e2", "sleep"));
        assertEquals(TaskState.FAILED, second.getState());
        assertEquals(TaskStatusReason.LAUNCH_FAILED, second.getReason());
        assertTrue(second.getMessage().contains("limit of 1 executors"), second.getMessage());
        assertEquals(TaskStatusReason.LAUNCH_FAILED, supervisor.launch(FW, task("a", "e1", "sleep")).getReason());
        assertEquals(1, supervisor.executors());
    }
}
