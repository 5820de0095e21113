package io.drover.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real OS processes outliving the {@link Tasks} that started them (as they outlive an agent killed
 * by SIGKILL), taken over by a second {@link Tasks} from their checkpoints.
 */
class TasksRecoveryTest {
    private static final String AGENT = "agent-1";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path sandboxes;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final BlockingQueue<Tasks.Exit> firstExits = new LinkedBlockingQueue<>();
    private final BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
    private final List<ProcessHandle> started = new ArrayList<>();
    private Tasks second;

    private Tasks tasks(BlockingQueue<Tasks.Exit> sink) {
        return new Tasks(AGENT, new StatusFactory(AGENT, clock),
                new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES), clock, 4, sink::add);
    }

    @AfterEach
    void tearDown() {
        if (second != null) {
            second.killAll(0);
        }
        for (ProcessHandle h : started) {
            ProcessTree.forceKill(List.of(h));
        }
    }

    /** The first "agent run": starts the tasks and is then dropped without stopping them. */
    private void firstRun(String... taskAndScript) throws Exception {
        Tasks first = tasks(firstExits);
        for (int i = 0; i < taskAndScript.length; i += 2) {
            TaskStatus running = first.launch("fw", TasksTest.task(taskAndScript[i], "sh", "-c", taskAndScript[i + 1]));
            assertEquals(TaskState.RUNNING, running.getState(), running.getMessage());
            started.add(first.handle("fw", taskAndScript[i]).orElseThrow());
            assertTrue(Files.exists(sandbox(taskAndScript[i]).resolve(TaskCheckpoint.FILE)), "checkpoint written before RUNNING");
        }
    }

    private Path sandbox(String taskId) {
        return sandboxes.resolve("fw").resolve(taskId);
    }

    private List<TaskCheckpoint> checkpoints() {
        List<TaskCheckpoint> all = new ArrayList<>(TaskCheckpoint.scan(sandboxes));
        all.sort(Comparator.comparing(TaskCheckpoint::taskId));
        return all;
    }

    private TaskStatus awaitTerminal() throws InterruptedException {
        Tasks.Exit exit = exits.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(exit, "the re-attached task's end was not seen");
        return second.exited(exit);
    }

    @Test
    void aRunningTaskIsReattachedAndItsRealExitCodeReported() throws Exception {
        firstRun("t1", "echo before; while [ ! -e go ]; do sleep 0.05; done; echo after; exit 7");
        second = tasks(exits);
        Tasks.Recovered recovered = second.recover(checkpoints(), AgentConfig.Recovery.REATTACH, 1_000, Set.of());
        assertEquals(List.of(new StatusUpdateQueue.TaskKey("fw", "t1")), recovered.running());
        assertEquals(List.of(), recovered.updates());
        assertTrue(second.isRunning("fw", "t1"));

        Files.createFile(sandbox("t1").resolve("go"));
        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.FAILED, end.getState());
        assertEquals(TaskStatusReason.COMMAND_EXITED, end.getReason());
        assertEquals(7, end.getExitCode());
        assertEquals("before\nafter\n", end.getStdoutTail(), "output kept flowing to the sandbox");
        assertFalse(second.isRunning("fw", "t1"));
    }

    @Test
    void aReattachedTaskIsKilledWithItsWholeTree() throws Exception {
        firstRun("t1", "sleep 600 & echo started; wait");
        await().atMost(WAIT).until(() -> Files.readString(sandbox("t1").resolve("stdout")).equals("started\n"));
        second = tasks(exits);
        second.recover(checkpoints(), AgentConfig.Recovery.REATTACH, 1_000, Set.of());
        List<ProcessHandle> tree = new ArrayList<>(List.of(started.get(0)));
        started.get(0).descendants().forEach(tree::add);
        assertTrue(tree.size() >= 2, "the wrapper, sh and sleep: " + tree);

        assertEquals(Tasks.KillOutcome.KILLING, second.kill("fw", "t1", 5_000));
        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.KILLED, end.getState());
        assertEquals(TaskStatusReason.KILLED_BY_FRAMEWORK, end.getReason());
        await().atMost(WAIT).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void tasksThatEndedWhileTheAgentWasDownReportTheirEndOrLost() throws Exception {
        firstRun("ok", "echo fine", "bad", "echo no >&2; exit 3", "vanished", "sleep 600");
        // The wrapper of "vanished" dies by SIGKILL: it records nothing.
        ProcessHandle vanished = started.get(2);
        await().atMost(WAIT).until(() -> vanished.descendants().findAny().isPresent());
        List<ProcessHandle> children = vanished.descendants().toList();
        vanished.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        await().atMost(WAIT).until(() -> started.stream().noneMatch(ProcessHandle::isAlive));

        second = tasks(exits);
        Tasks.Recovered recovered = second.recover(checkpoints(), AgentConfig.Recovery.REATTACH, 1_000, Set.of());
        assertEquals(List.of(), recovered.running());
        assertEquals(3, recovered.updates().size());
        TaskStatus bad = recovered.updates().get(0);
        assertEquals("bad", bad.getTaskId());
        assertEquals(TaskState.FAILED, bad.getState());
        assertEquals(3, bad.getExitCode());
        assertEquals("no\n", bad.getStderrTail());
        TaskStatus ok = recovered.updates().get(1);
        assertEquals(TaskState.FINISHED, ok.getState());
        assertEquals(0, ok.getExitCode());
        assertEquals("fine\n", ok.getStdoutTail());
        assertTrue(ok.getMessage().contains("while the agent was down"), ok.getMessage());
        TaskStatus lost = recovered.updates().get(2);
        assertEquals(TaskState.LOST, lost.getState());
        assertNull(lost.getExitCode());
        assertTrue(lost.getMessage().contains("without recording an exit status"), lost.getMessage());
        assertEquals(List.of(sandbox("bad"), sandbox("ok"), sandbox("vanished")), recovered.endedSandboxes());
    }

    @Test
    void aRecycledPidIsNotTakenForTheTaskAndJournaledEndsAreNotReportedTwice() throws Exception {
        firstRun("t1", "exit 0", "t2", "exit 0");
        await().atMost(WAIT).until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
        // t1's checkpoint now names a live process (this JVM) with another start time.
        TaskCheckpoint c = checkpoints().get(0);
        ProcessHandle self = ProcessHandle.current();
        new TaskCheckpoint(c.frameworkId(), c.taskId(), c.sandbox(), self.pid(), c.startedAtMs() - 60_000, c.task()).write();

        second = tasks(exits);
        Tasks.Recovered recovered = second.recover(checkpoints(), AgentConfig.Recovery.REATTACH, 1_000,
                Set.of(new StatusUpdateQueue.TaskKey("fw", "t2")));
        assertEquals(List.of(), recovered.running(), "not re-attached to this JVM");
        assertEquals(1, recovered.updates().size());
        assertEquals("t1", recovered.updates().get(0).getTaskId());
        assertEquals(TaskState.FINISHED, recovered.updates().get(0).getState());
        assertFalse(Files.exists(sandbox("t2").resolve(TaskCheckpoint.FILE)), "its terminal update is journaled: checkpoint dropped");
        assertTrue(self.isAlive());
    }

    @Test
    void cleanupKillsTheTasksThatStillRunAndReportsThemKilledAtShutdown() throws Exception {
        firstRun("t1", "sleep 600");
        second = tasks(exits);
        Tasks.Recovered recovered = second.recover(checkpoints(), AgentConfig.Recovery.CLEANUP, 0, Set.of());
        assertEquals(1, recovered.running().size());
        second.escalateDue(clock.millis());
        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.KILLED, end.getState());
        assertEquals(TaskStatusReason.AGENT_SHUTDOWN, end.getReason());
        assertTrue(end.getMessage().contains("--recover=cleanup"), end.getMessage());
        await().atMost(WAIT).until(() -> !started.get(0).isAlive());
    }
}
