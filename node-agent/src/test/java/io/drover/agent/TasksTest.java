package io.drover.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real OS processes, driven without Kafka. */
class TasksTest {
    private static final String AGENT = "agent-1";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path sandboxes;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
    private Tasks tasks;

    @BeforeEach
    void setUp() {
        tasks = new Tasks(AGENT, new StatusFactory(AGENT, clock), new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES), clock, 4, exits::add);
    }

    @AfterEach
    void tearDown() {
        tasks.killAll(0);
    }

    static TaskInfo task(String taskId, Map<String, String> env, String... args) {
        return TaskInfo.newBuilder()
                .setTaskId(taskId)
                .setName(taskId)
                .setAgentId(AGENT)
                .setResources(ResourceMath.of(0.1, 16, 0, 0))
                .setCommand(CommandInfo.newBuilder().setArguments(List.of(args)).setEnvironment(env).build())
                .build();
    }

    static TaskInfo task(String taskId, String... args) {
        return task(taskId, Map.of(), args);
    }

    private TaskStatus awaitTerminal() throws InterruptedException {
        Tasks.Exit exit = exits.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(exit, "process did not exit in time");
        return tasks.exited(exit);
    }

    @Test
    void failingCommandReportsItsExitCodeAndOutput() throws Exception {
        TaskStatus running = tasks.launch("fw", task("t1", "sh", "-c", "echo hello; echo oops >&2; exit 3"));
        assertEquals(TaskState.RUNNING, running.getState());
        assertEquals(TaskStatusReason.NONE, running.getReason());
        assertEquals(AGENT, running.getAgentId());
        assertNotNull(running.getUpdateId());
        Path sandbox = sandboxes.resolve("fw").resolve("t1");
        assertEquals(sandbox.toString(), running.getSandboxPath());

        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.FAILED, end.getState());
        assertEquals(TaskStatusReason.COMMAND_EXITED, end.getReason());
        assertEquals(3, end.getExitCode());
        assertEquals("exited with code 3", end.getMessage());
        assertEquals("hello\n", end.getStdoutTail());
        assertEquals("oops\n", end.getStderrTail());
        assertEquals(sandbox.toString(), end.getSandboxPath());
        assertEquals("hello\n", Files.readString(sandbox.resolve("stdout")));
        assertEquals(0, tasks.running());
    }

    @Test
    void successfulCommandFinishesInItsSandboxWithItsEnvironment() throws Exception {
        tasks.launch("fw", task("t1", Map.of("GREETING", "hi"), "sh", "-c", "echo $GREETING; pwd; echo $DROVER_TASK_ID"));
        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.FINISHED, end.getState());
        assertEquals(TaskStatusReason.COMMAND_EXITED, end.getReason());
        assertEquals(0, end.getExitCode());
        Path sandbox = sandboxes.resolve("fw").resolve("t1").toRealPath();
        assertEquals("hi\n" + sandbox + "\nt1\n", end.getStdoutTail());
    }

    @Test
    void missingProgramFailsToLaunch() {
        TaskStatus status = tasks.launch("fw", task("t1", "/no/such/program-drover"));
        assertEquals(TaskState.FAILED, status.getState());
        assertEquals(TaskStatusReason.LAUNCH_FAILED, status.getReason());
        assertTrue(status.getMessage().contains("/no/such/program-drover"), status.getMessage());
        assertNotNull(status.getSandboxPath());
        assertEquals("", status.getStdoutTail());
        assertEquals(0, tasks.running());
    }

    @Test
    void invalidTasksFailWithoutRunningAnything() {
        TaskStatus escape = tasks.launch("fw", task("../escape", "true"));
        assertEquals(TaskState.FAILED, escape.getState());
        assertEquals(TaskStatusReason.INVALID_TASK, escape.getReason());
        assertNull(escape.getSandboxPath());
        assertEquals(TaskStatusReason.INVALID_TASK, tasks.launch("fw", task("t1")).getReason());
        TaskInfo other = task("t2", "true");
        other.setAgentId("agent-2");
        assertEquals(TaskStatusReason.INVALID_TASK, tasks.launch("fw", other).getReason());
        assertEquals(TaskStatusReason.INVALID_TASK, tasks.launch("..", task("..", "true")).getReason());
        assertFalse(Files.exists(sandboxes.resolve("escape")));
    }

    @Test
    void duplicateTaskIdFailsTheNewLaunchOnly() throws Exception {
        assertEquals(TaskState.RUNNING, tasks.launch("fw", task("t1", "sleep", "1000")).getState());
        TaskStatus dup = tasks.launch("fw", task("t1", "true"));
        assertEquals(TaskState.FAILED, dup.getState());
        assertEquals(TaskStatusReason.LAUNCH_FAILED, dup.getReason());
        assertEquals("duplicate task id", dup.getMessage());
        assertTrue(tasks.isRunning("fw", "t1"));
        assertEquals(TaskState.RUNNING, tasks.launch("fw2", task("t1", "true")).getState(), "ids are per framework");
    }

    @Test
    void rerunOfATaskIdGetsANewSandbox() throws Exception {
        tasks.launch("fw", task("t1", "true"));
        awaitTerminal();
        TaskStatus second = tasks.launch("fw", task("t1", "true"));
        assertEquals(sandboxes.resolve("fw").resolve("t1~2").toString(), second.getSandboxPath());
        awaitTerminal();
    }

    @Test
    void runningTasksAreBounded() {
        for (int i = 0; i < 4; i++) {
            assertEquals(TaskState.RUNNING, tasks.launch("fw", task("t" + i, "sleep", "1000")).getState());
        }
        TaskStatus refused = tasks.launch("fw", task("t5", "sleep", "1000"));
        assertEquals(TaskStatusReason.LAUNCH_FAILED, refused.getReason());
        assertTrue(refused.getMessage().contains("limit of 4 tasks"), refused.getMessage());
    }

    @Test
    void killTerminatesTheWholeProcessTree() throws Exception {
        tasks.launch("fw", task("t1", "sh", "-c", "sleep 1000 & sleep 1000 & wait"));
        List<ProcessHandle> tree = awaitTree("fw", "t1", 2);

        assertEquals(Tasks.KillOutcome.KILLING, tasks.kill("fw", "t1", 10_000));
        assertEquals(Tasks.KillOutcome.ALREADY_KILLING, tasks.kill("fw", "t1", 10_000));
        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.KILLED, end.getState());
        assertEquals(TaskStatusReason.KILLED_BY_FRAMEWORK, end.getReason());
        assertEquals(128 + 15, end.getExitCode());
        await().atMost(WAIT).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
        assertEquals(Tasks.KillOutcome.UNKNOWN, tasks.kill("fw", "t1", 0));
    }

    @Test
    void survivorsOfTheGracePeriodAreKilled() throws Exception {
        // The shell and its children ignore SIGTERM (an ignored signal stays ignored across exec).
        tasks.launch("fw", task("t1", "sh", "-c", "trap '' TERM; sleep 1000 & sleep 1000 & wait"));
        List<ProcessHandle> tree = awaitTree("fw", "t1", 2);

        tasks.kill("fw", "t1", 5_000);
        assertEquals(clock.millis() + 5_000, tasks.nextEscalationAtMs().orElseThrow());
        clock.advanceMs(4_999);
        tasks.escalateDue(clock.millis());
        assertTrue(tree.get(0).isAlive(), "SIGTERM is ignored, SIGKILL not due yet");

        clock.advanceMs(1);
        tasks.escalateDue(clock.millis());
        assertTrue(tasks.nextEscalationAtMs().isEmpty());
        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.KILLED, end.getState());
        assertEquals(128 + 9, end.getExitCode());
        await().atMost(WAIT).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void killAllStopsEveryTaskForShutdown() throws Exception {
        tasks.launch("fw", task("a", "sleep", "1000"));
        tasks.launch("fw", task("b", "sh", "-c", "trap '' TERM; sleep 1000; true"));
        List<ProcessHandle> tree = awaitTree("fw", "b", 1);
        tasks.killAll(100);
        TaskStatus first = awaitTerminal();
        TaskStatus second = awaitTerminal();
        for (TaskStatus s : List.of(first, second)) {
            assertEquals(TaskState.KILLED, s.getState());
            assertEquals(TaskStatusReason.AGENT_SHUTDOWN, s.getReason());
        }
        assertEquals(0, tasks.running());
        await().atMost(WAIT).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
    }

    /** Waits until the task's process has {@code children} descendants; returns the root and them. */
    private List<ProcessHandle> awaitTree(String frameworkId, String taskId, int children) {
        assertTrue(tasks.isRunning(frameworkId, taskId));
        ProcessHandle root = tasks.handle(frameworkId, taskId).orElseThrow();
        await().atMost(WAIT).until(() -> root.descendants().count() >= children);
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        return tree;
    }
}
