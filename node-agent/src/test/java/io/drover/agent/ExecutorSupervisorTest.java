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
import io.drover.executor.JavaExecutorCommand;
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

    /** Records what the supervisor asks of the isolator: "attach ..." and "grow ..." lines. */
    private final List<String> isolation = new ArrayList<>();
    /** An executor id whose limits the isolator refuses to apply, as a broken cgroup would. */
    private volatile String refuseLimitsOf = "";

    private final Isolator recordingIsolator = new Isolator() {
        @Override
        public Guard attach(String frameworkId, String taskId, ProcessHandle process, io.drover.api.protocol.Resources resources) {
            if (taskId.equals("executor~" + refuseLimitsOf)) {
                throw new IllegalStateException("cgroup gone");
            }
            isolation.add("attach " + taskId + " " + ResourceMath.format(resources));
            return new Guard() {
                @Override
                public java.util.Optional<String> memoryKill(int exitCode) {
                    return java.util.Optional.empty();
                }

                @Override
                public void release() {
                    isolation.add("release " + taskId);
                }

                @Override
                public void grow(io.drover.api.protocol.Resources resources) {
                    isolation.add("grow " + taskId + " " + ResourceMath.format(resources));
                }
            };
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        public void close() {}
    };

    private void start(ExecutorConfig config) {
        supervisor = new ExecutorSupervisor(config, AGENT, new StatusFactory(AGENT, clock),
                new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES),
                recordingIsolator, clock, 2_000, () -> { }, (key, how) -> ended.add(key.executorId() + ": " + how));
    }

    @AfterEach
    void tearDown() {
        if (supervisor != null) {
            supervisor.stopAll(1_000);
            assertEquals(0, supervisor.executors());
        }
    }

    static ExecutorInfo executor(String id) {
        List<String> argv = JavaExecutorCommand.ofThisJvm(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                TestExecutor.class.getName());
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
    void anExecutorThatCannotStartIsReportedEndedSoTheMasterFreesItsResources() {
        start(ExecutorConfig.DEFAULTS.withMaxExecutors(2));
        launch("a", "e1", "finish");
        refuseLimitsOf = "e2";
        TaskStatus refused = supervisor.launch(FW, task("b", "e2", "finish"));
        assertEquals(TaskState.FAILED, refused.getState());
        assertEquals(TaskStatusReason.LAUNCH_FAILED, refused.getReason());
        assertTrue(refused.getMessage().contains("cannot apply its limits: cgroup gone"), refused.getMessage());
        refuseLimitsOf = "";
        launch("c", "e3", "finish");
        TaskStatus overLimit = supervisor.launch(FW, task("d", "e4", "finish"));
        assertEquals(TaskState.FAILED, overLimit.getState());
        assertEquals("agent already runs its limit of 2 executors", overLimit.getMessage());
        assertEquals(List.of("e2: never started: cannot start executor e2: cannot apply its limits: cgroup gone",
                "e4: never started: agent already runs its limit of 2 executors"), ended);
        assertEquals(2, supervisor.executors());
        pumpUntil("the started executors ran their tasks", () -> terminalOf("a") != null && terminalOf("c") != null);
    }

    @TempDir
    Path files;

    private java.util.concurrent.ExecutorService fetchThreads;

    private void startFetching(ExecutorConfig config) {
        fetchThreads = java.util.concurrent.Executors.newFixedThreadPool(2);
        supervisor = new ExecutorSupervisor(config, AGENT, new StatusFactory(AGENT, clock),
                new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES),
                recordingIsolator, clock, 2_000, () -> { }, (key, how) -> ended.add(key.executorId() + ": " + how),
                Fetcher.withDefaults(files.resolve("cache"), 1 << 20, 4 << 20, clock), fetchThreads);
    }

    @AfterEach
    void stopFetchThreads() {
        if (fetchThreads != null) {
            fetchThreads.shutdownNow();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static TaskInfo taskWithUri(String taskId, String what, io.drover.api.protocol.UriInfo uri) {
        TaskInfo t = task(taskId, "e1", what);
        ExecutorInfo e = t.getExecutor();
        return TaskInfo.newBuilder(t).setExecutor(ExecutorInfo.newBuilder(e)
                .setCommand(CommandInfo.newBuilder(e.getCommand()).setUris(List.of(uri)).build()).build()).build();
    }

    @Test
    void anExecutorsUrisAreInItsSandboxBeforeItStartsAndTasksLaunchedMeanwhileWait() throws Exception {
        startFetching(ExecutorConfig.DEFAULTS);
        byte[] content = "the job's jar".getBytes(StandardCharsets.UTF_8);
        Path source = Files.write(files.resolve("job.jar"), content);
        io.drover.api.protocol.UriInfo uri = io.drover.api.protocol.UriInfo.newBuilder().setValue(source.toUri().toString())
                .setSha256(sha256(content)).setFileName("user.jar").build();
        for (String id : List.of("a", "b")) {
            TaskStatus s = supervisor.launch(FW, taskWithUri(id, "has:user.jar", uri));
            assertEquals(TaskState.STARTING, s.getState(), s.getMessage());
        }
        assertTrue(supervisor.has(FW, "b"));
        assertEquals(4, supervisor.updatesOwed());
        pumpUntil("both ended", () -> terminalOf("a") != null && terminalOf("b") != null);
        for (String id : List.of("a", "b")) {
            assertEquals(TaskState.FINISHED, terminalOf(id).getState(), terminalOf(id).getMessage());
            assertEquals("found user.jar", terminalOf(id).getMessage());
        }
        assertEquals(1, supervisor.executors());
        Path sandbox = sandboxes.resolve(FW).resolve("executor~e1");
        assertEquals(sandbox.toString(), terminalOf("a").getSandboxPath());
        assertTrue(Files.isRegularFile(sandbox.resolve("user.jar")));
        // The next task of the running executor fetches nothing again.
        launch("c", "e1", "finish");
        pumpUntil("c finished", () -> terminalOf("c") != null);
        assertEquals(TaskState.FINISHED, terminalOf("c").getState());
        assertEquals(1, supervisor.executors());
    }

    @Test
    void aUriThatDoesNotMatchItsSha256FailsTheExecutorsTasksNamingBothHashesAndNoProcessStarts() throws Exception {
        startFetching(ExecutorConfig.DEFAULTS);
        byte[] content = "tampered".getBytes(StandardCharsets.UTF_8);
        Path source = Files.write(files.resolve("job.jar"), content);
        String expected = sha256("the real jar".getBytes(StandardCharsets.UTF_8));
        io.drover.api.protocol.UriInfo uri = io.drover.api.protocol.UriInfo.newBuilder().setValue(source.toUri().toString())
                .setSha256(expected).build();
        supervisor.launch(FW, taskWithUri("a", "finish", uri));
        supervisor.launch(FW, taskWithUri("b", "finish", uri));
        pumpUntil("both ended", () -> terminalOf("a") != null && terminalOf("b") != null);
        for (String id : List.of("a", "b")) {
            TaskStatus s = terminalOf(id);
            assertEquals(TaskState.FAILED, s.getState());
            assertEquals(TaskStatusReason.LAUNCH_FAILED, s.getReason());
            assertTrue(s.getMessage().contains(source.toUri().toString()), s.getMessage());
            assertTrue(s.getMessage().contains(expected), s.getMessage());
            assertTrue(s.getMessage().contains(sha256(content)), s.getMessage());
            assertEquals(List.of(TaskState.FAILED), of(id).stream().map(TaskStatus::getState).toList());
        }
        assertEquals(0, supervisor.executors());
        assertNull(supervisor.process(FW, "e1"));
        assertEquals(1, ended.size());
        assertTrue(ended.get(0).startsWith("e1: never started: cannot fetch the URIs of executor e1"), ended.get(0));
        assertEquals(0, supervisor.updatesOwed());
        assertFalse(supervisor.has(FW, "a"));
    }

    @Test
    void aTaskKilledWhileItsExecutorFetchesEndsKilledAndTheOthersStillRun() throws Exception {
        startFetching(ExecutorConfig.DEFAULTS);
        byte[] content = "plan".getBytes(StandardCharsets.UTF_8);
        Path source = Files.write(files.resolve("plan.bin"), content);
        io.drover.api.protocol.UriInfo uri = io.drover.api.protocol.UriInfo.newBuilder().setValue(source.toUri().toString())
                .setSha256(sha256(content)).build();
        supervisor.launch(FW, taskWithUri("a", "sleep", uri));
        supervisor.launch(FW, taskWithUri("b", "has:plan.bin", uri));
        // Either still waiting (ends at once) or handed over already (the executor confirms).
        assertTrue(supervisor.kill(FW, "a", 10_000));
        pumpUntil("both ended", () -> terminalOf("a") != null && terminalOf("b") != null);
        assertEquals(TaskState.KILLED, terminalOf("a").getState());
        assertEquals(TaskState.FINISHED, terminalOf("b").getState(), terminalOf("b").getMessage());
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
    void aRestartedAgentEndsTheTasksOfAnExecutorThatDiedWhileItWasDown() throws Exception {
        start(ExecutorConfig.DEFAULTS);
        launch("a", "e1", "sleep");
        launch("b", "e1", "sleep");
        pumpUntil("both running", () -> has("a", u -> u.getState() == TaskState.RUNNING) && has("b", u -> u.getState() == TaskState.RUNNING));
        supervisor.flushCheckpoints();
        Path sandbox = sandboxes.resolve(FW).resolve("executor~e1");
        ExecutorCheckpoint written = ExecutorCheckpoint.read(sandbox).orElseThrow();
        assertEquals(List.of(new ExecutorCheckpoint.Task("a", ResourceMath.of(0.01, 1, 0, 0), true),
                new ExecutorCheckpoint.Task("b", ResourceMath.of(0.01, 1, 0, 0), true)), written.tasks());
        assertTrue(written.processedSequence() >= 2, "hello (0) and two RUNNING at least: " + written.processedSequence());
        assertTrue(written.liveProcess().isPresent());
        assertTrue(TaskCheckpoint.scan(sandboxes).isEmpty(), "not a task's checkpoint");

        // The agent's run ends without a word (as if killed); then its executor dies too.
        ExecutorSupervisor first = supervisor;
        ProcessHandle process = first.process(FW, "e1");
        updates.clear();
        try {
            process.destroyForcibly();
            await().atMost(WAIT).until(() -> !process.isAlive());
            start(ExecutorConfig.DEFAULTS);
            List<ExecutorCheckpoint> found = ExecutorCheckpoint.scan(sandboxes);
            assertEquals(1, found.size());
            assertTrue(found.get(0).liveProcess().isEmpty());
            ExecutorSupervisor.Recovered r = supervisor.recover(found, AgentConfig.Recovery.REATTACH, 1_000,
                    java.util.Set.of(), java.util.Set.of());
            assertEquals(List.of(), r.executors());
            assertEquals(List.of(), r.tasks());
            assertEquals(2, r.updates().size(), r.updates().toString());
            for (TaskStatus s : r.updates()) {
                assertEquals(TaskState.FAILED, s.getState(), s.toString());
                assertEquals(TaskStatusReason.EXECUTOR_TERMINATED, s.getReason(), s.toString());
                assertTrue(s.getMessage().contains("ended while the agent was down"), s.getMessage());
            }
            assertTrue(Files.exists(sandbox.resolve(TaskCheckpoint.FILE)), "kept until the updates are journaled");
            supervisor.flushCheckpoints();
            assertFalse(Files.exists(sandbox.resolve(TaskCheckpoint.FILE)));
            assertEquals(0, supervisor.executors());
        } finally {
            first.stopAll(1_000);
        }
    }

    @Test
    void aNewRunReattachesToALiveExecutorAndReportsWhatTheEarlierRunReadButNeverJournaled() throws Exception {
        start(ExecutorConfig.DEFAULTS);
        launch("a", "e1", "sleep");
        pumpUntil("a running", () -> has("a", u -> u.getState() == TaskState.RUNNING));
        supervisor.flushCheckpoints();
        ExecutorSupervisor first = supervisor;
        ProcessHandle process = first.process(FW, "e1");
        // Handed over, then the earlier run stops before its loop journals anything more (as if killed).
        launch("b", "e1", "finish");
        updates.clear();
        try {
            start(ExecutorConfig.DEFAULTS);
            List<ExecutorCheckpoint> found = ExecutorCheckpoint.scan(sandboxes);
            assertEquals(1, found.size());
            assertEquals(List.of("a", "b"), found.get(0).tasks().stream().map(ExecutorCheckpoint.Task::taskId).toList(),
                    "b was checkpointed before it was handed over");
            // Wait until the executor has written b's end, which the earlier run never journaled.
            await().atMost(WAIT).until(() -> first.drain().stream().anyMatch(u -> u.getTaskId().equals("b") && u.getState() == TaskState.FINISHED));
            ExecutorSupervisor.Recovered r = supervisor.recover(found, AgentConfig.Recovery.REATTACH, 1_000,
                    java.util.Set.of(), java.util.Set.of());
            assertEquals(List.of(new ExecutorSupervisor.Key(FW, "e1")), r.executors());
            assertEquals(List.of("a"), r.tasks().stream().map(StatusUpdateQueue.TaskKey::taskId).toList());
            assertEquals(List.of(TaskState.RUNNING, TaskState.FINISHED), r.updates().stream().map(TaskStatus::getState).toList(),
                    "b's RUNNING and FINISHED, read again: " + r.updates());
            assertEquals(process, supervisor.process(FW, "e1"), "the same process");
            supervisor.flushCheckpoints();
            assertEquals(List.of("a"), ExecutorCheckpoint.scan(sandboxes).get(0).tasks().stream()
                    .map(ExecutorCheckpoint.Task::taskId).toList());

            // The executor got AgentHello and resent a's RUNNING and b's FINISHED: nothing new, so no update.
            assertTrue(supervisor.kill(FW, "a", 5_000));
            pumpUntil("a killed", () -> terminalOf("a") != null);
            assertEquals(TaskState.KILLED, terminalOf("a").getState());
            assertEquals(1, updates.size(), updates.toString());
            assertEquals(0, supervisor.badMessages(), "the resent states are known repeats");
            launch("c", "e1", "finish");
            pumpUntil("c finished", () -> terminalOf("c") != null);
            assertEquals(TaskState.FINISHED, terminalOf("c").getState());
        } finally {
            supervisor.stopAll(1_000);
            first.stopAll(1_000);
        }
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
    void theExecutorsLimitsGrowWithItsTasksAndNeverShrink() {
        start(ExecutorConfig.DEFAULTS);
        launch("a", "e1", "sleep");
        launch("b", "e1", "sleep");
        pumpUntil("a and b running", () -> has("a", u -> u.getState() == TaskState.RUNNING) && has("b", u -> u.getState() == TaskState.RUNNING));
        assertTrue(supervisor.kill(FW, "a", 10_000));
        pumpUntil("a killed", () -> terminalOf("a") != null);
        // c makes two at once again, which the limits cover; d makes three, which grows them.
        launch("c", "e1", "sleep");
        launch("d", "e1", "finish");
        pumpUntil("d finished", () -> terminalOf("d") != null);
        assertEquals(List.of(
                "attach executor~e1 cpus=1.01 mem=257MiB disk=0MiB gpus=0",
                "grow executor~e1 cpus=1.02 mem=258MiB disk=0MiB gpus=0",
                "grow executor~e1 cpus=1.03 mem=259MiB disk=0MiB gpus=0"), isolation);
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
