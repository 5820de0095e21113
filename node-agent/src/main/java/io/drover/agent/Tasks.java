package io.drover.agent;

import io.drover.api.Ids;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.UriInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks running on this agent, as OS processes. Launching and killing return status updates
 * for the caller to deliver; a process's exit is reported, from whatever thread saw it, to the
 * exit sink given at construction, and the owner hands it back to {@link #exited} to get the
 * task's terminal update.
 *
 * <p>Kills are two-step: SIGTERM to the task's process tree now, SIGKILL to whatever of it
 * survives the grace period. The second step is a timer the owner drives with
 * {@link #nextEscalationAtMs()} and {@link #escalateDue(long)}.
 *
 * <p>A task with URIs is first fetched: {@link #launch} hands the fetch to the fetch executor and
 * answers STARTING; the fetch's end reaches the fetch sink, from the executor's thread, and the
 * owner hands it back to {@link #fetched} on its own thread, which starts the process (RUNNING) or
 * fails the task. A task killed while it is fetched ends as KILLED when its fetch ends, without a
 * process.
 *
 * <p>Not thread-safe: the agent's loop thread owns it; only the exit and fetch sinks are called
 * from other threads.
 */
final class Tasks {
    private static final Logger LOG = LoggerFactory.getLogger(Tasks.class);
    /** Longest grace period a KillTask may ask for. */
    static final long MAX_GRACE_PERIOD_MS = 3_600_000;
    /** How long {@link #killAll} waits for processes to die after SIGKILL. */
    private static final long FORCE_KILL_WAIT_MS = 5_000;

    /**
     * A task's process ended with this exit code (128+N for signal N). {@code recorded} is false
     * for a re-attached task whose wrapper ended without recording the code (killed by SIGKILL):
     * then the code means nothing.
     */
    record Exit(RunningTask task, int exitCode, boolean recorded) {
        Exit(RunningTask task, int exitCode) {
            this(task, exitCode, true);
        }
    }

    /**
     * What recovery found: the updates to send now (tasks that ended while the agent was down, or
     * whose process vanished), with the sandboxes whose checkpoints to delete once they are
     * journaled, and the tasks re-attached (or being killed, under cleanup), which report later.
     */
    record Recovered(List<TaskStatus> updates, List<Path> endedSandboxes, List<StatusUpdateQueue.TaskKey> running) {}

    /** What a kill request found. */
    enum KillOutcome {
        /** The task was running; SIGTERM was sent and its terminal update follows its exit. */
        KILLING,
        /** The task was already being killed; nothing changed. */
        ALREADY_KILLING,
        /** No such task runs here. */
        UNKNOWN
    }

    /** One launched task. Its process and ids never change; the kill reason is set once. */
    static final class RunningTask {
        final String frameworkId;
        final String taskId;
        final Path sandbox;
        /** The task's wrapper process, root of its process tree. */
        final ProcessHandle process;
        /** The disk the task was given, in MiB; its sandbox may fill that much. */
        final long diskMb;
        /** Completes once the exit has been handed to the exit sink. */
        CompletableFuture<Void> exitReported;
        TaskStatusReason killReason;
        /** The message of the task's KILLED update, when not the usual one for its kill reason. */
        String killMessage;
        /** Holds the task to its cpus and memory; set right after the start. */
        Isolator.Guard guard;
        /** Why the task was killed right after its start, when its limits could not be applied. */
        String isolationFailure;

        RunningTask(String frameworkId, String taskId, Path sandbox, ProcessHandle process, long diskMb) {
            this.frameworkId = frameworkId;
            this.taskId = taskId;
            this.sandbox = sandbox;
            this.process = process;
            this.diskMb = Math.max(0, diskMb);
        }

        StatusUpdateQueue.TaskKey key() {
            return new StatusUpdateQueue.TaskKey(frameworkId, taskId);
        }
    }

    /** A task whose URIs are being fetched; its process starts when they are all in its sandbox. */
    static final class FetchingTask {
        final String frameworkId;
        final TaskInfo task;
        final Path sandbox;
        TaskStatusReason killReason;

        FetchingTask(String frameworkId, TaskInfo task, Path sandbox) {
            this.frameworkId = frameworkId;
            this.task = task;
            this.sandbox = sandbox;
        }

        StatusUpdateQueue.TaskKey key() {
            return new StatusUpdateQueue.TaskKey(frameworkId, task.getTaskId());
        }
    }

    /** The fetch of a task's URIs ended; {@code failure} is null when every URI is in its sandbox. */
    record Fetched(FetchingTask task, IOException failure) {}

    private record Escalation(long atMs, List<ProcessHandle> handles) {}

    private final String agentId;
    private final StatusFactory statuses;
    private final ProcessLauncher launcher;
    private final Clock clock;
    private final int maxRunning;
    private final Consumer<Exit> exitSink;
    private final Isolator isolator;
    /** Fetches the tasks' URIs; null when this agent fetches none (tasks with URIs fail). */
    private final Fetcher fetcher;
    private final Executor fetchExecutor;
    private final Consumer<Fetched> fetchSink;
    private final Map<StatusUpdateQueue.TaskKey, FetchingTask> fetching = new HashMap<>();
    private final Map<StatusUpdateQueue.TaskKey, RunningTask> running = new HashMap<>();
    private final PriorityQueue<Escalation> escalations = new PriorityQueue<>((a, b) -> Long.compare(a.atMs(), b.atMs()));

    /**
     * @param exitSink receives every launched task's exit, exactly once, on a JDK process-reaper
     *     thread; it must not block
     */
    Tasks(String agentId, StatusFactory statuses, ProcessLauncher launcher, Clock clock, int maxRunning, Consumer<Exit> exitSink) {
        this(agentId, statuses, launcher, clock, maxRunning, exitSink, Isolator.NONE);
    }

    /** Tasks held to their resources by {@code isolator}. */
    Tasks(String agentId, StatusFactory statuses, ProcessLauncher launcher, Clock clock, int maxRunning, Consumer<Exit> exitSink,
          Isolator isolator) {
        this(agentId, statuses, launcher, clock, maxRunning, exitSink, isolator, null, Runnable::run, f -> { });
    }

    /**
     * Tasks held to their resources by {@code isolator}, whose URIs {@code fetcher} fetches into
     * their sandboxes on {@code fetchExecutor} before their commands start.
     *
     * @param fetchExecutor runs the fetches; it should be bounded, and a fetch it rejects fails
     *     its task with LAUNCH_FAILED
     * @param fetchSink receives the end of every fetch, exactly once, on the thread that fetched;
     *     it must not block
     */
    Tasks(String agentId, StatusFactory statuses, ProcessLauncher launcher, Clock clock, int maxRunning, Consumer<Exit> exitSink,
          Isolator isolator, Fetcher fetcher, Executor fetchExecutor, Consumer<Fetched> fetchSink) {
        this.fetcher = fetcher;
        this.fetchExecutor = fetchExecutor;
        this.fetchSink = fetchSink;
        this.isolator = isolator;
        this.agentId = agentId;
        this.statuses = statuses;
        this.launcher = launcher;
        this.clock = clock;
        this.maxRunning = maxRunning;
        this.exitSink = exitSink;
    }

    /** Tasks whose process has not been reported as exited yet. */
    int running() {
        return running.size();
    }

    /** Tasks whose URIs are being fetched. */
    int fetching() {
        return fetching.size();
    }

    /**
     * Status updates the tasks here will still send: a terminal one per running task, and a
     * RUNNING and a terminal one per task being fetched.
     */
    int updatesOwed() {
        return running.size() + 2 * fetching.size();
    }

    /** The disk in MiB given to the running and fetching tasks, all together. */
    long allocatedDiskMb() {
        long sum = 0;
        for (RunningTask rt : running.values()) {
            sum += rt.diskMb;
        }
        for (FetchingTask ft : fetching.values()) {
            sum += Math.max(0, ft.task.getResources().getDiskMb());
        }
        return sum;
    }

    /** The sandboxes of the running and fetching tasks, which must not be deleted. */
    Set<Path> sandboxesInUse() {
        Set<Path> dirs = new HashSet<>();
        for (RunningTask rt : running.values()) {
            dirs.add(rt.sandbox);
        }
        for (FetchingTask ft : fetching.values()) {
            dirs.add(ft.sandbox);
        }
        return dirs;
    }

    boolean isRunning(String frameworkId, String taskId) {
        return running.containsKey(new StatusUpdateQueue.TaskKey(frameworkId, taskId));
    }

    boolean isFetching(String frameworkId, String taskId) {
        return fetching.containsKey(new StatusUpdateQueue.TaskKey(frameworkId, taskId));
    }

    /** The process of a running task. */
    Optional<ProcessHandle> handle(String frameworkId, String taskId) {
        RunningTask rt = running.get(new StatusUpdateQueue.TaskKey(frameworkId, taskId));
        return rt == null ? Optional.empty() : Optional.of(rt.process);
    }

    /**
     * Starts a task. Never throws for a bad task or a failed start: those become a FAILED update.
     *
     * @return RUNNING when the process started; STARTING when the task's URIs are being fetched
     *     (see {@link #fetched}); FAILED with reason INVALID_TASK (bad ids, no
     *     command, another agent's task) or LAUNCH_FAILED (duplicate task id, too many tasks, a
     *     URI could not be fetched or did not match its sha256, the program could not be started)
     *     otherwise; the command never starts when a URI fails
     */
    TaskStatus launch(String frameworkId, TaskInfo task) {
        String taskId = task.getTaskId();
        String invalid = validate(frameworkId, task);
        if (invalid != null) {
            LOG.warn("task {} of framework {} is invalid: {}", taskId, frameworkId, invalid);
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.INVALID_TASK, invalid);
        }
        StatusUpdateQueue.TaskKey key = new StatusUpdateQueue.TaskKey(frameworkId, taskId);
        if (running.containsKey(key) || fetching.containsKey(key)) {
            LOG.warn("task {} of framework {} is already running; failing the duplicate launch", taskId, frameworkId);
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, "duplicate task id");
        }
        if (running.size() + fetching.size() >= maxRunning) {
            LOG.warn("task {} of framework {} not launched: {} tasks run already (limit)", taskId, frameworkId, running.size());
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED,
                    "agent already runs its limit of " + maxRunning + " tasks");
        }
        Path sandbox;
        try {
            sandbox = launcher.createSandbox(frameworkId, taskId);
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            LOG.warn("task {} of framework {}: no sandbox: {}", taskId, frameworkId, message);
            return terminal(frameworkId, taskId, null, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, message, null);
        }
        List<UriInfo> uris = task.getCommand().getUris();
        if (uris.isEmpty()) {
            return start(frameworkId, task, sandbox);
        }
        if (fetcher == null) {
            return terminal(frameworkId, taskId, sandbox, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, "this agent fetches no URIs", null);
        }
        FetchingTask ft = new FetchingTask(frameworkId, task, sandbox);
        fetching.put(key, ft);
        try {
            fetchExecutor.execute(() -> fetchSink.accept(new Fetched(ft, fetchQuietly(uris, sandbox))));
        } catch (RejectedExecutionException e) {
            fetching.remove(key, ft);
            LOG.warn("task {} of framework {} not launched: too many fetches wait already", taskId, frameworkId);
            return terminal(frameworkId, taskId, sandbox, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED,
                    "too many fetches wait already on this agent", null);
        }
        LOG.info("task {} of framework {}: fetching {} URIs into {}", taskId, frameworkId, uris.size(), sandbox);
        return statuses.builder(frameworkId, taskId, TaskState.STARTING, TaskStatusReason.NONE, "fetching " + uris.size() + " URIs")
                .setSandboxPath(sandbox.toString())
                .build();
    }

    private IOException fetchQuietly(List<UriInfo> uris, Path sandbox) {
        try {
            fetcher.fetchAll(uris, sandbox);
            return null;
        } catch (IOException e) {
            return e;
        } catch (RuntimeException e) {
            return new IOException(e.getMessage() != null ? e.getMessage() : e.toString(), e);
        }
    }

    /**
     * Takes the end of a fetch that {@link #launch} started and returns the task's next update:
     * RUNNING when its process started; KILLED when it was killed meanwhile (no process starts);
     * FAILED with LAUNCH_FAILED when a URI failed (its message says which and why) or the process
     * could not start. Empty when the task was given up at shutdown ({@link #abandonFetches}).
     */
    Optional<TaskStatus> fetched(Fetched f) {
        FetchingTask ft = f.task();
        if (!fetching.remove(ft.key(), ft)) {
            return Optional.empty();
        }
        String taskId = ft.task.getTaskId();
        if (ft.killReason != null) {
            LOG.info("task {} of framework {} was killed while its URIs were fetched", taskId, ft.frameworkId);
            return Optional.of(terminal(ft.frameworkId, taskId, ft.sandbox, TaskState.KILLED, ft.killReason,
                    "killed before it started", null));
        }
        if (f.failure() != null) {
            String message = f.failure().getMessage() != null ? f.failure().getMessage() : f.failure().toString();
            LOG.warn("task {} of framework {} could not start: {}", taskId, ft.frameworkId, message);
            return Optional.of(terminal(ft.frameworkId, taskId, ft.sandbox, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, message, null));
        }
        return Optional.of(start(ft.frameworkId, ft.task, ft.sandbox));
    }

    /**
     * Gives up every fetching task, for an agent shutdown, and returns their terminal updates:
     * KILLED with reason AGENT_SHUTDOWN. Their fetches may still end; {@link #fetched} ignores them.
     */
    List<TaskStatus> abandonFetches() {
        List<TaskStatus> ended = new ArrayList<>();
        for (FetchingTask ft : fetching.values()) {
            ended.add(terminal(ft.frameworkId, ft.task.getTaskId(), ft.sandbox, TaskState.KILLED, TaskStatusReason.AGENT_SHUTDOWN,
                    "killed at agent shutdown", null));
        }
        fetching.clear();
        return ended;
    }

    private TaskStatus start(String frameworkId, TaskInfo task, Path sandbox) {
        String taskId = task.getTaskId();
        StatusUpdateQueue.TaskKey key = new StatusUpdateQueue.TaskKey(frameworkId, taskId);
        ProcessLauncher.Started started;
        try {
            started = launcher.start(frameworkId, taskId, task.getCommand(), sandbox);
        } catch (Exception e) {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            LOG.warn("task {} of framework {} could not start: {}", taskId, frameworkId, message);
            return terminal(frameworkId, taskId, sandbox, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, message, null);
        }
        Process process = started.process();
        RunningTask rt = new RunningTask(frameworkId, taskId, sandbox, process.toHandle(), task.getResources().getDiskMb());
        try {
            rt.guard = isolator.attach(frameworkId, taskId, process.toHandle(), task.getResources());
        } catch (IOException | RuntimeException e) {
            // It runs already, so it ends through its exit like any task, as FAILED with this.
            rt.isolationFailure = "cannot apply the task's limits: " + (e.getMessage() != null ? e.getMessage() : e.toString());
            rt.guard = Isolator.NO_GUARD;
            LOG.warn("task {} of framework {}: {}; killing it", taskId, frameworkId, rt.isolationFailure);
            ProcessTree.forceKill(List.of(process.toHandle()));
        }
        if (rt.isolationFailure == null) {
            try {
                // Only now, inside its limits, does the wrapper start the command.
                started.go();
            } catch (IOException e) {
                LOG.warn("task {} of framework {}: its wrapper ended before it could start the command: {}", taskId, frameworkId, e.toString());
            }
        }
        running.put(key, rt);
        // The output goes straight to the sandbox's files, so the tails are complete at the exit.
        rt.exitReported = process.onExit().thenAccept(p -> exitSink.accept(new Exit(rt, p.exitValue())));
        if (rt.isolationFailure == null) {
            // Before RUNNING goes out: a RUNNING task is one a restarted agent can find again.
            try {
                Optional<TaskCheckpoint> checkpoint = TaskCheckpoint.of(frameworkId, task, sandbox, rt.process);
                if (checkpoint.isPresent()) {
                    checkpoint.get().write();
                } else if (rt.process.isAlive()) {
                    // (A process that already ended has no start time to read, and nothing to re-attach to.)
                    LOG.warn("task {} of framework {}: no start time for pid {}; an agent restart will not re-attach to it",
                            taskId, frameworkId, process.pid());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("task {} of framework {}: cannot write its checkpoint ({}); an agent restart will not re-attach to it",
                        taskId, frameworkId, e.toString());
            }
        }
        LOG.info("task {} of framework {} runs as pid {} in {}", taskId, frameworkId, process.pid(), sandbox);
        return statuses.builder(frameworkId, taskId, TaskState.RUNNING, TaskStatusReason.NONE, "")
                .setSandboxPath(sandbox.toString())
                .build();
    }

    /**
     * Forgets an exited task, releases its isolation (its cgroups), and returns its terminal
     * update: FAILED with LAUNCH_FAILED when its limits could not be applied, KILLED when it was
     * killed, FAILED with MEMORY_LIMIT when it was killed for exceeding its memory, FINISHED on
     * exit code 0, FAILED otherwise; each with the output tails and the sandbox.
     */
    TaskStatus exited(Exit exit) {
        RunningTask rt = exit.task();
        running.remove(rt.key(), rt);
        int code = exit.exitCode();
        Optional<String> memoryKill = rt.guard.memoryKill(code);
        rt.guard.release();
        if (rt.isolationFailure != null) {
            return terminal(rt.frameworkId, rt.taskId, rt.sandbox, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, rt.isolationFailure, code);
        }
        if (rt.killReason != null) {
            String message = rt.killMessage != null ? rt.killMessage
                    : rt.killReason == TaskStatusReason.AGENT_SHUTDOWN ? "killed at agent shutdown" : "killed by the framework";
            LOG.info("task {} of framework {} was killed (exit code {})", rt.taskId, rt.frameworkId, code);
            return terminal(rt.frameworkId, rt.taskId, rt.sandbox, TaskState.KILLED, rt.killReason, message, code);
        }
        if (!exit.recorded()) {
            LOG.warn("task {} of framework {} ended without recording its exit status", rt.taskId, rt.frameworkId);
            return terminal(rt.frameworkId, rt.taskId, rt.sandbox, TaskState.LOST, TaskStatusReason.NONE,
                    "its process ended without recording an exit status (its wrapper was killed by SIGKILL)", null);
        }
        if (memoryKill.isPresent()) {
            LOG.info("task {} of framework {} was {}", rt.taskId, rt.frameworkId, memoryKill.get());
            return terminal(rt.frameworkId, rt.taskId, rt.sandbox, TaskState.FAILED, TaskStatusReason.MEMORY_LIMIT, memoryKill.get(), code);
        }
        LOG.info("task {} of framework {} exited with code {}", rt.taskId, rt.frameworkId, code);
        return terminal(rt.frameworkId, rt.taskId, rt.sandbox, code == 0 ? TaskState.FINISHED : TaskState.FAILED,
                TaskStatusReason.COMMAND_EXITED, "exited with code " + code, code);
    }

    /**
     * Sends SIGTERM to the task's process tree and schedules SIGKILL for whatever survives
     * {@code gracePeriodMs} (clamped to [0, {@value #MAX_GRACE_PERIOD_MS}]).
     */
    KillOutcome kill(String frameworkId, String taskId, long gracePeriodMs) {
        RunningTask rt = running.get(new StatusUpdateQueue.TaskKey(frameworkId, taskId));
        FetchingTask ft = fetching.get(new StatusUpdateQueue.TaskKey(frameworkId, taskId));
        if (ft != null) {
            // Its fetch cannot be interrupted safely; it ends as KILLED, without a process, when the fetch ends.
            if (ft.killReason != null) {
                return KillOutcome.ALREADY_KILLING;
            }
            ft.killReason = TaskStatusReason.KILLED_BY_FRAMEWORK;
            LOG.info("killing task {} of framework {}: it ends when its fetch does", taskId, frameworkId);
            return KillOutcome.KILLING;
        }
        if (rt == null) {
            return KillOutcome.UNKNOWN;
        }
        if (rt.killReason != null) {
            return KillOutcome.ALREADY_KILLING;
        }
        rt.killReason = TaskStatusReason.KILLED_BY_FRAMEWORK;
        long graceMs = Math.max(0, Math.min(gracePeriodMs, MAX_GRACE_PERIOD_MS));
        List<ProcessHandle> tree = ProcessTree.terminate(rt.process);
        escalations.add(new Escalation(clock.millis() + graceMs, tree));
        LOG.info("killing task {} of framework {}: SIGTERM to {} processes, SIGKILL in {} ms", taskId, frameworkId, tree.size(), graceMs);
        return KillOutcome.KILLING;
    }

    /**
     * Takes over the tasks an earlier run of this agent left, from their checkpoints. A task whose
     * process still runs (same pid, same start time) is re-attached: watched through its process
     * handle, put back under its isolator, killable; under cleanup its tree is
     * killed at once ({@code gracePeriodMs}) and it ends KILLED with reason AGENT_SHUTDOWN
     * ({@link AgentConfig.Recovery#CLEANUP}). A task
     * whose process ended while the agent was down reports its recorded exit code (FINISHED or
     * FAILED, as usual), or LOST when none was recorded. Checkpoints of tasks in {@code reported}
     * (their terminal update is journaled already) are just deleted.
     */
    Recovered recover(List<TaskCheckpoint> checkpoints, AgentConfig.Recovery mode, long gracePeriodMs, Set<StatusUpdateQueue.TaskKey> reported) {
        List<TaskStatus> updates = new ArrayList<>();
        List<Path> ended = new ArrayList<>();
        List<StatusUpdateQueue.TaskKey> attached = new ArrayList<>();
        for (TaskCheckpoint c : checkpoints) {
            StatusUpdateQueue.TaskKey key = new StatusUpdateQueue.TaskKey(c.frameworkId(), c.taskId());
            if (reported.contains(key) || running.containsKey(key)) {
                TaskCheckpoint.delete(c.sandbox());
                continue;
            }
            Optional<ProcessHandle> live = c.liveProcess();
            if (live.isEmpty() || running.size() + fetching.size() >= maxRunning) {
                if (live.isPresent()) {
                    LOG.error("task {} of framework {}: not re-attached, {} tasks run already (limit); killing it", c.taskId(),
                            c.frameworkId(), running.size());
                    ProcessTree.forceKill(ProcessTree.terminate(live.get()));
                }
                updates.add(endedWhileDown(c));
                ended.add(c.sandbox());
                continue;
            }
            ProcessHandle process = live.get();
            RunningTask rt = new RunningTask(c.frameworkId(), c.taskId(), c.sandbox(), process, c.task().getResources().getDiskMb());
            try {
                rt.guard = isolator.reattach(c.frameworkId(), c.taskId(), process, c.task().getResources());
            } catch (IOException | RuntimeException e) {
                rt.guard = Isolator.NO_GUARD;
                LOG.warn("task {} of framework {}: re-attached without its limits: {}", c.taskId(), c.frameworkId(), e.toString());
            }
            running.put(key, rt);
            // Not this JVM's child: the exit code is what the wrapper recorded in the sandbox.
            rt.exitReported = process.onExit().thenAccept(h -> {
                var code = ProcessLauncher.readExitCode(rt.sandbox);
                exitSink.accept(new Exit(rt, code.orElse(-1), code.isPresent()));
            });
            attached.add(key);
            if (mode == AgentConfig.Recovery.CLEANUP) {
                rt.killReason = TaskStatusReason.AGENT_SHUTDOWN;
                rt.killMessage = "killed by an agent restarted with --recover=cleanup";
                long graceMs = Math.max(0, Math.min(gracePeriodMs, MAX_GRACE_PERIOD_MS));
                escalations.add(new Escalation(clock.millis() + graceMs, ProcessTree.terminate(process)));
                LOG.info("task {} of framework {} (pid {}) outlived the agent's earlier run: killing it (cleanup)", c.taskId(),
                        c.frameworkId(), process.pid());
            } else {
                LOG.info("re-attached to task {} of framework {} (pid {}) in {}", c.taskId(), c.frameworkId(), process.pid(), c.sandbox());
            }
        }
        return new Recovered(updates, ended, attached);
    }

    private TaskStatus endedWhileDown(TaskCheckpoint c) {
        var code = ProcessLauncher.readExitCode(c.sandbox());
        if (code.isEmpty()) {
            LOG.warn("task {} of framework {}: its process is gone and recorded no exit status", c.taskId(), c.frameworkId());
            return terminal(c.frameworkId(), c.taskId(), c.sandbox(), TaskState.LOST, TaskStatusReason.NONE,
                    "its process ended while the agent was down without recording an exit status (killed by SIGKILL, or the host restarted)",
                    null);
        }
        int exitCode = code.getAsInt();
        LOG.info("task {} of framework {} exited with code {} while the agent was down", c.taskId(), c.frameworkId(), exitCode);
        return terminal(c.frameworkId(), c.taskId(), c.sandbox(), exitCode == 0 ? TaskState.FINISHED : TaskState.FAILED,
                TaskStatusReason.COMMAND_EXITED, "exited with code " + exitCode + " while the agent was down", exitCode);
    }

    /** Rolls the output files of every running task over that passed the size limit. */
    void rotateLogs() {
        for (RunningTask rt : running.values()) {
            launcher.rotateLogs(rt.sandbox);
        }
    }

    /** When the earliest pending SIGKILL is due. */
    OptionalLong nextEscalationAtMs() {
        Escalation e = escalations.peek();
        return e == null ? OptionalLong.empty() : OptionalLong.of(e.atMs());
    }

    /** Sends SIGKILL to the surviving processes of every kill whose grace period is over. */
    void escalateDue(long nowMs) {
        while (!escalations.isEmpty() && escalations.peek().atMs() <= nowMs) {
            int killed = ProcessTree.forceKill(escalations.poll().handles());
            if (killed > 0) {
                LOG.info("grace period over: sent SIGKILL to {} processes", killed);
            }
        }
    }

    /**
     * Kills every task for an agent shutdown: SIGTERM to all process trees, a wait of up to
     * {@code gracePeriodMs} for them to exit, SIGKILL to the survivors (and to those of earlier
     * kills), and a wait of up to 5 s more. Blocks the caller for those waits, in real time. The
     * exits reach the exit sink as usual; the terminal updates say KILLED with reason
     * AGENT_SHUTDOWN.
     */
    void killAll(long gracePeriodMs) {
        List<ProcessHandle> handles = new ArrayList<>();
        // Waiting for the sink to have the exits (not just for the processes to end) lets the
        // caller collect every terminal update right after this returns.
        List<CompletableFuture<Void>> exits = new ArrayList<>();
        for (RunningTask rt : running.values()) {
            if (rt.killReason == null) {
                rt.killReason = TaskStatusReason.AGENT_SHUTDOWN;
                handles.addAll(ProcessTree.terminate(rt.process));
            }
            exits.add(rt.exitReported);
        }
        for (Escalation e : escalations) {
            handles.addAll(e.handles());
        }
        escalations.clear();
        handles.removeIf(h -> !h.isAlive());
        if (exits.isEmpty() && handles.isEmpty()) {
            return;
        }
        LOG.info("killing {} tasks: SIGTERM to {} processes, SIGKILL after {} ms", running.size(), handles.size(), gracePeriodMs);
        CompletableFuture<Void> reported = CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new));
        // Every process of the trees gets the grace period, not just the tasks' own processes.
        CompletableFuture<Void> treesGone = CompletableFuture.allOf(
                handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new));
        awaitQuietly(CompletableFuture.allOf(reported, treesGone), gracePeriodMs);
        int killed = ProcessTree.forceKill(handles);
        if (killed > 0) {
            LOG.info("sent SIGKILL to {} processes that outlived the grace period", killed);
        }
        awaitQuietly(reported, FORCE_KILL_WAIT_MS);
    }

    private TaskStatus terminal(String frameworkId, String taskId, Path sandbox, TaskState state, TaskStatusReason reason,
                                String message, Integer exitCode) {
        TaskStatus.Builder b = statuses.builder(frameworkId, taskId, state, reason, message).setExitCode(exitCode);
        if (sandbox != null) {
            b.setSandboxPath(sandbox.toString())
                    .setStdoutTail(OutputTail.read(sandbox.resolve(ProcessLauncher.STDOUT), OutputTail.MAX_BYTES))
                    .setStderrTail(OutputTail.read(sandbox.resolve(ProcessLauncher.STDERR), OutputTail.MAX_BYTES));
        } else {
            b.setStdoutTail("").setStderrTail("");
        }
        return b.build();
    }

    private String validate(String frameworkId, TaskInfo task) {
        try {
            Ids.requireValid("framework id", frameworkId);
            Ids.requireValid("task id", task.getTaskId());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        // Valid ids, but as path segments they would climb out of the sandboxes directory.
        if (isDots(frameworkId) || isDots(task.getTaskId())) {
            return "'.' and '..' cannot be framework or task ids";
        }
        if (!agentId.equals(task.getAgentId())) {
            return "task is for agent '" + task.getAgentId() + "', not this agent '" + agentId + "'";
        }
        if (task.getCommand() == null || task.getCommand().getArguments().isEmpty()) {
            return "task has no command to run";
        }
        return null;
    }

    private static boolean isDots(String id) {
        return id.equals(".") || id.equals("..");
    }

    private static void awaitQuietly(CompletableFuture<?> future, long timeoutMs) {
        try {
            future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the caller escalates or gives up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
