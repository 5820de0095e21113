package io.drover.agent;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.executor.ExecutorHello;
import io.drover.api.protocol.executor.ExecutorMessage;
import io.drover.api.protocol.executor.Heartbeat;
import io.drover.api.protocol.executor.KillTask;
import io.drover.api.protocol.executor.LaunchTask;
import io.drover.api.protocol.executor.Shutdown;
import io.drover.api.protocol.executor.TaskUpdate;
import io.drover.executor.ChannelEnd;
import io.drover.executor.ExecutorEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executors on this agent: one process per (framework, executor id), started with the first
 * task that names it, that runs many tasks. The agent and each executor talk over two Chronicle
 * queues in the executor's sandbox ({@link ChannelEnd}); a reader thread per executor hands what
 * the executor writes to the agent's loop through one bounded handoff, and the loop turns it,
 * through {@link #drain()}, into the tasks' status updates, which then take the agent's normal,
 * acknowledged path.
 *
 * <p>Life of an executor: its sandbox is {@code <sandboxes>/<framework>/executor~<executorId>}
 * (then {@code ~2}, {@code ~3}... for later runs; task ids never contain '~', so it cannot clash
 * with a task's); the process starts like a command task's (own session, output files, the
 * isolator holding it to the executor's resources plus its tasks', raised as more run at once,
 * never lowered), with
 * {@link ExecutorEnvironment}'s variables. It ends (1) on Shutdown after {@code idleTimeoutMs}
 * without tasks, killed if it does not exit within the kill grace period; (2) by itself or by a
 * signal: its tasks without a terminal update become FAILED with EXECUTOR_TERMINATED; (3) when it
 * stays silent for {@code heartbeatTimeoutMs}, or does not confirm a kill within its grace
 * period: the agent kills its process tree and its tasks end as in (2) (the task being killed as
 * KILLED). A launch for an executor that is shutting down starts a new one.
 *
 * <p>Tasks of an executor report STARTING when the agent hands them over, then what the executor
 * reports: RUNNING once, then FINISHED, FAILED or KILLED.
 *
 * <p>An executor outlives a killed agent: each has an {@link ExecutorCheckpoint} in its sandbox
 * (written before a task is handed over, and by {@link #flushCheckpoints()} after each round's
 * updates are journaled), and a new run takes it over with {@link #recover}: re-attached (its
 * queue read on from the last message whose updates were journaled, AgentHello sent), killed
 * under cleanup, or its tasks ended when its process is gone.
 *
 * <p>This class is the facade and owns the live path: admission, the executors in service, what
 * their messages and exits mean, the timers, kills and shutdown. Its parts: {@link Exec}, one
 * executor's record; {@link ExecutorLaunch}, task checks and the start of a process;
 * {@link ExecutorFetches}, executors waiting for their URIs; {@link ExecutorRecovery}, the
 * take-over from checkpoints.
 *
 * <p>Not thread-safe: the agent's loop thread owns it; readers and process exits reach it
 * through bounded queues, and wake the loop through the given callback.
 */
final class ExecutorSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorSupervisor.class);
    /** Prefix of an executor's sandbox name under its framework's directory. */
    static final String SANDBOX_PREFIX = "executor~";
    /** Longest the loop waits for a reader thread to stop. */
    private static final long READER_JOIN_MS = 2_000;
    /** How long {@link #stopAll} and a recovery wait for processes to die after SIGKILL. */
    static final long FORCE_KILL_WAIT_MS = 5_000;

    /** Names an executor on this agent. */
    record Key(String frameworkId, String executorId) {}

    private record Inbound(Exec exec, ExecutorMessage message) {}

    private record Exited(Exec exec, int exitCode) {}

    private final ExecutorConfig config;
    private final StatusFactory statuses;
    /** Validates executor tasks and starts executor processes. */
    private final ExecutorLaunch launch;
    private final Isolator isolator;
    private final Clock clock;
    private final long killGracePeriodMs;
    private final Runnable wake;
    private final java.util.function.BiConsumer<Key, String> ended;
    private final BlockingQueue<Inbound> handoff;
    private final BlockingQueue<Exited> exits;
    /** Executors admitted but still fetching their URIs, and the tasks waiting for them. */
    private final ExecutorFetches fetches;
    private final Map<Key, Exec> live = new HashMap<>();
    /** Every executor whose process has not been reported as exited, live or ending. */
    private final Set<Exec> all = new LinkedHashSet<>();
    /** Sandboxes whose checkpoints go once the updates of this round are journaled. */
    private final List<Path> checkpointsToDelete = new ArrayList<>();
    private long badMessages;

    /**
     * @param killGracePeriodMs time between SIGTERM and SIGKILL, and how long an executor told to
     *     shut down may take before it gets SIGTERM
     * @param wake wakes the loop up; called from reader and process-reaper threads; must not block
     * @param ended told, on the owner's thread, once per executor process that ended and how (for
     *     the master, which then frees the executor's resources)
     */
    ExecutorSupervisor(ExecutorConfig config, String agentId, StatusFactory statuses, ProcessLauncher launcher, Isolator isolator,
                       Clock clock, long killGracePeriodMs, Runnable wake, java.util.function.BiConsumer<Key, String> ended) {
        this(config, agentId, statuses, launcher, isolator, clock, killGracePeriodMs, wake, ended, null, null);
    }

    /**
     * A supervisor that fetches each executor's URIs ({@code ExecutorInfo.command.uris}) into its
     * sandbox, with {@code fetcher} on {@code fetchExecutor}, before it starts the executor; the
     * fetch ends on the owner's thread through {@link #drain()} ({@code wake} is called).
     *
     * @param fetchExecutor runs the fetches off the loop; it should be bounded: a fetch it rejects
     *     fails the executor's tasks
     */
    ExecutorSupervisor(ExecutorConfig config, String agentId, StatusFactory statuses, ProcessLauncher launcher, Isolator isolator,
                       Clock clock, long killGracePeriodMs, Runnable wake, java.util.function.BiConsumer<Key, String> ended,
                       Fetcher fetcher, java.util.concurrent.Executor fetchExecutor) {
        this.fetches = new ExecutorFetches(config, statuses, fetcher, fetchExecutor, wake, ended);
        this.config = config;
        this.statuses = statuses;
        this.launch = new ExecutorLaunch(config, agentId, launcher, isolator, clock);
        this.isolator = isolator;
        this.clock = clock;
        this.killGracePeriodMs = killGracePeriodMs;
        this.wake = wake;
        this.ended = ended;
        this.handoff = new ArrayBlockingQueue<>(config.handoffCapacity());
        // One exit per process; at most maxExecutors processes exist at once.
        this.exits = new ArrayBlockingQueue<>(config.maxExecutors());
    }

    /**
     * Tells executors started from now on where the agent's HTTP server and shuffle directories
     * are, through {@link io.drover.executor.AgentServices}' variables.
     */
    void advertise(String httpAddress, Path shuffleRoot) {
        launch.advertise(httpAddress, shuffleRoot);
    }

    /** Executor processes not yet reported as exited. */
    int executors() {
        return all.size();
    }

    /** Messages from executors that named no task of theirs or carried a state they may not report. */
    long badMessages() {
        return badMessages;
    }

    /** Bad excerpts the readers skipped, all executors together (those still running). */
    long skippedExcerpts() {
        long n = 0;
        for (Exec e : all) {
            n += e.channel.skipped();
        }
        return n;
    }

    /** The running executor of this key, for tests and logs. */
    ProcessHandle process(String frameworkId, String executorId) {
        Exec e = live.get(new Key(frameworkId, executorId));
        return e == null ? null : e.process;
    }

    /** The agent's end of a running executor's channel, for tests. */
    ChannelEnd channel(String frameworkId, String executorId) {
        Exec e = live.get(new Key(frameworkId, executorId));
        return e == null ? null : e.channel;
    }

    /** Whether a task was handed to an executor here and has not ended. */
    boolean has(String frameworkId, String taskId) {
        return find(frameworkId, taskId) != null || fetches.has(frameworkId, taskId);
    }

    /**
     * Status updates still owed: RUNNING and a terminal one per task not yet running (those waiting
     * for their executor's fetch too), one per running task, and those made but not yet drained.
     */
    int updatesOwed() {
        int n = 0;
        for (Exec e : all) {
            for (Exec.Task t : e.tasks.values()) {
                n += t.running ? 1 : 2;
            }
        }
        return n + fetches.updatesOwed();
    }

    /** The sandboxes of executors that still run, which must not be deleted. */
    Set<Path> sandboxesInUse() {
        Set<Path> dirs = new HashSet<>();
        for (Exec e : all) {
            dirs.add(e.sandbox);
        }
        fetches.addSandboxes(dirs);
        return dirs;
    }

    /** Whether messages or exits wait for {@link #drain()}. */
    boolean hasInput() {
        return !handoff.isEmpty() || !exits.isEmpty() || fetches.hasInput();
    }

    /**
     * Hands a task to its executor, starting the executor first if it does not run.
     *
     * @return STARTING when the task was handed over; FAILED with INVALID_TASK (bad ids, data too
     *     large, another agent's task) or LAUNCH_FAILED (duplicate, limits, the executor could not
     *     start) otherwise
     */
    TaskStatus launch(String frameworkId, TaskInfo task) {
        String taskId = task.getTaskId();
        String invalid = launch.validate(frameworkId, task);
        if (invalid != null) {
            LOG.warn("task {} of framework {} is invalid: {}", taskId, frameworkId, invalid);
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.INVALID_TASK, invalid);
        }
        if (has(frameworkId, taskId)) {
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, "duplicate task id");
        }
        ExecutorInfo info = task.getExecutor();
        Key key = new Key(frameworkId, info.getExecutorId());
        Exec e = live.get(key);
        if (e == null) {
            TaskStatus waiting = fetches.addIfFetching(key, task);
            if (waiting != null) {
                return waiting;
            }
            if (all.size() + fetches.size() >= config.maxExecutors()) {
                return neverStarted(key, taskId, "agent already runs its limit of " + config.maxExecutors() + " executors");
            }
            if (!info.getCommand().getUris().isEmpty()) {
                return startFetch(key, task);
            }
            try {
                e = start(key, info, task.getResources(), launch.createSandbox(key));
            } catch (IOException | RuntimeException ex) {
                return neverStarted(key, taskId,
                        "cannot start executor " + key.executorId() + ": " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            }
        }
        return handOver(e, task);
    }

    /**
     * Fails the task that would have started an executor that cannot start, and reports the
     * executor ended, so the master frees the resources it charged for it at the launch.
     */
    private TaskStatus neverStarted(Key key, String taskId, String message) {
        LOG.warn("task {} of framework {}: {}", taskId, key.frameworkId(), message);
        ended.accept(key, "never started: " + message);
        return statuses.status(key.frameworkId(), taskId, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, message);
    }

    /**
     * Creates the sandbox of the executor the task names, and has {@link ExecutorFetches} fetch its
     * URIs into it and keep the task until the executor can start.
     */
    private TaskStatus startFetch(Key key, TaskInfo task) {
        String taskId = task.getTaskId();
        if (!fetches.enabled()) {
            return neverStarted(key, taskId, "executor " + key.executorId() + " has URIs and this agent fetches none");
        }
        Path sandbox;
        try {
            sandbox = launch.createSandbox(key);
        } catch (IOException | RuntimeException ex) {
            return neverStarted(key, taskId, "cannot start executor " + key.executorId() + ": no sandbox: " + ex.getMessage());
        }
        TaskStatus s = fetches.start(key, task, sandbox);
        return s != null ? s
                : neverStarted(key, taskId, "cannot start executor " + key.executorId() + ": too many fetches wait already on this agent");
    }

    /** Gives a task to a started executor; STARTING, or FAILED with LAUNCH_FAILED when it cannot take it. */
    private TaskStatus handOver(Exec e, TaskInfo task) {
        String frameworkId = e.key.frameworkId();
        String taskId = task.getTaskId();
        Key key = e.key;
        if (e.tasks.size() >= config.maxTasksPerExecutor()) {
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED,
                    "executor " + key.executorId() + " already runs its limit of " + config.maxTasksPerExecutor() + " tasks");
        }
        e.tasks.put(taskId, new Exec.Task(taskId, task.getResources()));
        e.growLimits();
        // Before the executor gets the task: a restarted agent must know the executor runs it.
        e.writeCheckpoint();
        try {
            e.channel.send(LaunchTask.newBuilder().setTaskId(taskId).setName(task.getName()).setResources(task.getResources())
                    .setData(task.getData()).build());
        } catch (RuntimeException ex) {
            e.tasks.remove(taskId);
            e.dirty = true;
            String message = "cannot hand the task to executor " + key.executorId() + ": " + ex.getMessage();
            return statuses.status(frameworkId, taskId, TaskState.FAILED, TaskStatusReason.LAUNCH_FAILED, message);
        }
        return statuses.builder(frameworkId, taskId, TaskState.STARTING, TaskStatusReason.NONE, "handed to executor " + key.executorId())
                .setSandboxPath(e.sandbox.toString())
                .build();
    }

    private Exec start(Key key, ExecutorInfo info, Resources firstTask, Path sandbox) throws IOException {
        ExecutorLaunch.Launched l = launch.start(key, info, firstTask, sandbox);
        Process process = l.process();
        Resources limits = l.limits();
        Exec e = newExec(key, sandbox, process.toHandle(), l.startedAtMs(), info, l.channel(), l.guard(), limits, clock.millis());
        adopt(e, process.onExit().thenApply(Process::exitValue));
        LOG.info("executor {} of framework {} runs as pid {} in {} ({})", key.executorId(), key.frameworkId(), process.pid(), sandbox,
                ResourceMath.format(limits));
        return e;
    }

    /** The {@link Exec.Inbox} of every executor: its messages go to the loop through {@link #handoff}. */
    private boolean handOff(Exec from, ExecutorMessage message, long timeoutMs) throws InterruptedException {
        if (!handoff.offer(new Inbound(from, message), timeoutMs, TimeUnit.MILLISECONDS)) {
            return false;
        }
        wake.run();
        return true;
    }

    private void queueExit(Exec e, int exitCode) {
        if (!exits.offer(new Exited(e, exitCode))) {
            LOG.error("executor exit queue full; lost the exit of executor {}", e.key.executorId());
        }
        wake.run();
    }

    /** What {@link #recover} did: updates to journal, executors re-attached, and the tasks they run. */
    record Recovered(List<TaskStatus> updates, List<Key> executors, List<StatusUpdateQueue.TaskKey> tasks) {}

    /**
     * Takes over the executors an earlier run of this agent left, from their checkpoints. First,
     * for each, what the executor wrote to queues/to-agent after the last message the earlier run
     * journaled the effects of is read and turned into updates (a task that ended while the agent
     * was down reports its end); a task in {@code reportedEnded} (its terminal update is journaled)
     * is dropped, one in {@code reportedRunning} counts as running. Then:
     * <ul>
     *   <li>the process still runs (same pid, same start time) and {@code mode} is REATTACH: the
     *       agent end of its channel is opened again (appending after the earlier run's messages),
     *       the executor is put back under its isolator, watched, and sent AgentHello with this
     *       process's pid; it resends its tasks' latest states, and carries on;</li>
     *   <li>it runs and {@code mode} is CLEANUP (or the executor limit is reached): its process
     *       tree is killed (SIGTERM, {@code gracePeriodMs}, SIGKILL; blocks up to that long) and
     *       its tasks end KILLED with AGENT_SHUTDOWN;</li>
     *   <li>its process is gone: its tasks end FAILED with EXECUTOR_TERMINATED.</li>
     * </ul>
     * The checkpoints of executors not re-attached are deleted by {@link #flushCheckpoints()}.
     */
    Recovered recover(List<ExecutorCheckpoint> checkpoints, AgentConfig.Recovery mode, long gracePeriodMs,
                      Set<StatusUpdateQueue.TaskKey> reportedEnded, Set<StatusUpdateQueue.TaskKey> reportedRunning) {
        return new ExecutorRecovery(this, isolator, statuses, clock, mode, gracePeriodMs, reportedEnded, reportedRunning).run(checkpoints);
    }

    /** Whether an executor of this key is in service. */
    boolean isLive(Key key) {
        return live.containsKey(key);
    }

    /** Whether an executor of this key can be put in service: none is, and the agent is under its executor limit. */
    boolean canAdopt(Key key) {
        return !live.containsKey(key) && all.size() < config.maxExecutors();
    }

    /** A new record of an executor whose messages, once its reader starts, come to this supervisor. */
    Exec newExec(Key key, Path sandbox, ProcessHandle process, long processStartedAtMs, ExecutorInfo info, ChannelEnd channel,
                 Isolator.Guard guard, Resources limits, long now) {
        return new Exec(key, sandbox, process, processStartedAtMs, info, channel, guard, limits, now, config.busySpin(), this::handOff);
    }

    /**
     * Puts a started or re-attached executor in service: watched by the timers, its queue read,
     * and its exit, with the code {@code exitCode} completes with, queued for {@link #drain()}.
     */
    void adopt(Exec e, CompletableFuture<Integer> exitCode) {
        live.put(e.key, e);
        all.add(e);
        e.reader.start();
        exitCode.thenAccept(code -> queueExit(e, code));
    }

    /** Handles, on the caller's thread, what waits in the executor's queue; only when its reader is not running. */
    void readQueued(Exec e, long now, List<TaskStatus> out) {
        for (ChannelEnd.Received r = e.channel.poll(); r != null; r = e.channel.poll()) {
            if (r.ok()) {
                onMessage(e, r.message(), now, out);
            }
        }
    }

    /** Has {@link #flushCheckpoints()} delete the checkpoint in this sandbox. */
    void deleteCheckpointLater(Path sandbox) {
        checkpointsToDelete.add(sandbox);
    }

    /**
     * Brings the checkpoints up to date: rewrites those of executors whose tasks changed (at most
     * once per call, each) and deletes those of executors that ended. Call after the status
     * updates the supervisor returned are journaled.
     */
    void flushCheckpoints() {
        for (Exec e : all) {
            if (e.dirty) {
                e.writeCheckpoint();
            }
        }
        for (Path sandbox : checkpointsToDelete) {
            TaskCheckpoint.delete(sandbox);
        }
        checkpointsToDelete.clear();
    }

    /**
     * Asks the task's executor to kill it; the task ends when the executor reports it, or as
     * KILLED when it does not within {@code gracePeriodMs} (and the executor is then killed).
     *
     * @return whether the task is an executor task here
     */
    boolean kill(String frameworkId, String taskId, long gracePeriodMs) {
        Exec e = find(frameworkId, taskId);
        if (e == null) {
            return fetches.kill(frameworkId, taskId);
        }
        Exec.Task t = e.tasks.get(taskId);
        if (t.killReason != null) {
            return true;
        }
        long graceMs = Math.max(0, Math.min(gracePeriodMs, Tasks.MAX_GRACE_PERIOD_MS));
        t.killReason = TaskStatusReason.KILLED_BY_FRAMEWORK;
        t.killDeadlineMs = clock.millis() + graceMs;
        e.dirty = true;
        try {
            e.channel.send(KillTask.newBuilder().setTaskId(taskId).setGracePeriodMs(graceMs).build());
        } catch (RuntimeException ex) {
            LOG.warn("executor {}: cannot send the kill of task {}: {}", e.key.executorId(), taskId, ex.getMessage());
        }
        LOG.info("killing task {} of framework {} in executor {}: {} ms to confirm", taskId, frameworkId, e.key.executorId(), graceMs);
        return true;
    }

    private Exec find(String frameworkId, String taskId) {
        for (Exec e : all) {
            if (e.key.frameworkId().equals(frameworkId) && e.tasks.containsKey(taskId)) {
                return e;
            }
        }
        return null;
    }

    /** When the earliest timer is due (heartbeats, timeouts, idle shutdowns, kills). */
    long nextTimerAtMs() {
        long next = Long.MAX_VALUE;
        for (Exec e : all) {
            next = Math.min(next, e.nextHeartbeatAtMs);
            if (!e.ending) {
                // An ending executor is past watching: its SIGTERM and SIGKILL timers take over.
                next = Math.min(next, e.heardAtMs + config.heartbeatTimeoutMs() + 1);
            }
            if (!e.ending && e.tasks.isEmpty()) {
                next = Math.min(next, e.idleSinceMs + config.idleTimeoutMs());
            }
            if (e.terminateAtMs > 0) {
                next = Math.min(next, e.terminateAtMs);
            }
            if (e.forceKillAtMs > 0) {
                next = Math.min(next, e.forceKillAtMs);
            }
            for (Exec.Task t : e.tasks.values()) {
                if (t.killDeadlineMs > 0) {
                    next = Math.min(next, t.killDeadlineMs);
                }
            }
        }
        return next;
    }

    /** Runs the timers that are due; returns the status updates they made. */
    List<TaskStatus> tick(long now) {
        List<TaskStatus> out = new ArrayList<>();
        for (Exec e : new ArrayList<>(all)) {
            if (now >= e.nextHeartbeatAtMs) {
                e.send(Heartbeat.newBuilder().setIntervalMs(config.heartbeatIntervalMs()).build());
                e.nextHeartbeatAtMs = now + config.heartbeatIntervalMs();
            }
            if (e.forceKillAtMs > 0 && now >= e.forceKillAtMs) {
                e.forceKillAtMs = 0;
                ProcessTree.forceKill(e.tree);
            }
            if (e.terminateAtMs > 0 && now >= e.terminateAtMs) {
                e.terminateAtMs = 0;
                e.terminate(now, killGracePeriodMs);
            }
            if (!e.ending && now - e.heardAtMs > config.heartbeatTimeoutMs()) {
                String why = (e.hello ? "no message" : "no hello") + " from executor " + e.key.executorId() + " for "
                        + (now - e.heardAtMs) + " ms";
                LOG.warn("framework {}: {}; killing it", e.key.frameworkId(), why);
                end(e, why, out);
                e.terminate(now, killGracePeriodMs);
                continue;
            }
            for (Exec.Task t : new ArrayList<>(e.tasks.values())) {
                if (t.killDeadlineMs > 0 && now >= t.killDeadlineMs && !e.ending) {
                    e.tasks.remove(t.taskId);
                    e.dirty = true;
                    out.add(taskStatus(e, t.taskId, TaskState.KILLED, t.killReason,
                            "executor " + e.key.executorId() + " did not confirm the kill in time; the executor was killed"));
                    end(e, "executor " + e.key.executorId() + " was killed: it did not confirm the kill of task " + t.taskId, out);
                    e.terminate(now, killGracePeriodMs);
                }
            }
            if (!e.ending && e.tasks.isEmpty() && now - e.idleSinceMs >= config.idleTimeoutMs()) {
                LOG.info("executor {} of framework {}: idle for {} ms; telling it to shut down", e.key.executorId(), e.key.frameworkId(),
                        now - e.idleSinceMs);
                retire(e, "idle for " + (now - e.idleSinceMs) + " ms", now);
            }
        }
        return out;
    }

    /** Tells the executor to shut down, and schedules SIGTERM for after the grace period. */
    private void retire(Exec e, String reason, long now) {
        e.ending = true;
        live.remove(e.key, e);
        e.send(Shutdown.newBuilder().setReason(reason).setGracePeriodMs(killGracePeriodMs).build());
        e.terminateAtMs = now + killGracePeriodMs;
    }

    /** Takes the executor out of service and fails its tasks; its process is killed by the caller or is gone. */
    void end(Exec e, String why, List<TaskStatus> out) {
        e.ending = true;
        e.dirty = true;
        live.remove(e.key, e);
        for (Exec.Task t : e.tasks.values()) {
            if (t.killReason != null) {
                out.add(taskStatus(e, t.taskId, TaskState.KILLED, t.killReason, why));
            } else {
                out.add(taskStatus(e, t.taskId, TaskState.FAILED, TaskStatusReason.EXECUTOR_TERMINATED, why));
            }
        }
        e.tasks.clear();
    }

    /** Takes what the readers and process reapers handed over; returns the status updates it makes, in order. */
    List<TaskStatus> drain() {
        List<TaskStatus> out = new ArrayList<>();
        fetches.drain(out, this::start, this::handOver);
        drainHandoff(clock.millis(), out);
        List<Exited> ended = new ArrayList<>();
        exits.drainTo(ended);
        for (Exited x : ended) {
            onExit(x, out);
        }
        return out;
    }

    /** Takes the messages the readers handed over, skipping those of executors already gone. */
    private void drainHandoff(long now, List<TaskStatus> out) {
        List<Inbound> messages = new ArrayList<>();
        handoff.drainTo(messages);
        for (Inbound in : messages) {
            if (all.contains(in.exec())) {
                onMessage(in.exec(), in.message(), now, out);
            }
        }
    }

    private void onMessage(Exec e, ExecutorMessage m, long now, List<TaskStatus> out) {
        e.heardAtMs = now;
        if (m.getSequence() <= e.skipThrough) {
            // An earlier run of the agent handled it and journaled what it made.
            return;
        }
        e.processedSequence = Math.max(e.processedSequence, m.getSequence());
        Object body = m.getBody();
        if (body instanceof TaskUpdate u) {
            onUpdate(e, u, now, out);
        } else if (body instanceof ExecutorHello hello) {
            e.hello = true;
            if (!hello.getExecutorId().equals(e.key.executorId())) {
                badMessages++;
                LOG.warn("executor {} says hello as '{}'", e.key.executorId(), hello.getExecutorId());
            } else {
                LOG.info("executor {} of framework {} is up (pid {})", e.key.executorId(), e.key.frameworkId(), hello.getPid());
            }
        } else if (!(body instanceof Heartbeat)) {
            badMessages++;
            LOG.warn("executor {}: ignoring a message of kind {}", e.key.executorId(), body.getClass().getSimpleName());
        }
    }

    private void onUpdate(Exec e, TaskUpdate u, long now, List<TaskStatus> out) {
        Exec.Task t = e.tasks.get(u.getTaskId());
        if (t == null && u.getResent()) {
            // A repeat, after AgentHello, of an end this agent knows already.
            return;
        }
        if (t == null) {
            badMessages++;
            LOG.warn("executor {}: update {} of task {}, which it does not run; ignoring it", e.key.executorId(), u.getState(), u.getTaskId());
            return;
        }
        String message = u.getMessage();
        switch (u.getState()) {
            case RUNNING -> {
                if (!t.running) {
                    t.running = true;
                    e.dirty = true;
                    out.add(taskStatus(e, t.taskId, TaskState.RUNNING, TaskStatusReason.NONE, message));
                }
            }
            case FINISHED, FAILED, KILLED -> {
                e.tasks.remove(t.taskId);
                e.dirty = true;
                TaskStatusReason reason = u.getState() == TaskState.KILLED
                        ? (t.killReason != null ? t.killReason : TaskStatusReason.KILLED_BY_FRAMEWORK)
                        : TaskStatusReason.NONE;
                out.add(taskStatus(e, t.taskId, u.getState(), reason, message));
                if (e.tasks.isEmpty()) {
                    e.idleSinceMs = now;
                }
            }
            default -> {
                badMessages++;
                LOG.warn("executor {}: task {} cannot report {}; ignoring it", e.key.executorId(), t.taskId, u.getState());
            }
        }
    }

    private void onExit(Exited x, List<TaskStatus> out) {
        Exec e = x.exec();
        if (!all.contains(e)) {
            return;
        }
        // What it wrote before it died still counts: take the rest of its queue first.
        boolean stopped = e.reader.stop(READER_JOIN_MS);
        long now = clock.millis();
        drainHandoff(now, out);
        if (stopped) {
            readQueued(e, now, out);
        }
        all.remove(e);
        live.remove(e.key, e);
        checkpointsToDelete.add(e.sandbox);
        if (!e.tasks.isEmpty()) {
            LOG.warn("executor {} of framework {} exited with code {} with {} tasks unfinished", e.key.executorId(), e.key.frameworkId(),
                    x.exitCode(), e.tasks.size());
        } else {
            LOG.info("executor {} of framework {} exited with code {}", e.key.executorId(), e.key.frameworkId(), x.exitCode());
        }
        String how = "exited with code " + x.exitCode() + e.guard.memoryKill(x.exitCode()).map(m -> ": " + m).orElse("");
        end(e, "executor " + e.key.executorId() + " " + how, out);
        if (stopped) {
            // A reader that did not stop may still be inside the queue: leave it open rather than pull it away.
            e.channel.close();
        }
        ProcessTree.forceKill(e.tree);
        e.guard.release();
        ended.accept(e.key, how);
    }


    /**
     * Stops every executor for an agent shutdown: Shutdown to each, a wait of up to
     * {@code gracePeriodMs} for them to exit, SIGTERM and SIGKILL to what remains, and returns
     * the status updates: what the executors reported meanwhile, and KILLED with AGENT_SHUTDOWN
     * for every task they did not report. Blocks the caller for those waits, in real time.
     */
    List<TaskStatus> stopAll(long gracePeriodMs) {
        List<TaskStatus> out = new ArrayList<>();
        fetches.stopAll(out);
        if (all.isEmpty()) {
            return out;
        }
        List<CompletableFuture<?>> gone = new ArrayList<>();
        for (Exec e : all) {
            for (Exec.Task t : e.tasks.values()) {
                if (t.killReason == null) {
                    t.killReason = TaskStatusReason.AGENT_SHUTDOWN;
                }
            }
            e.send(Shutdown.newBuilder().setReason("the agent stops").setGracePeriodMs(gracePeriodMs).build());
            gone.add(e.process.onExit());
        }
        live.clear();
        CompletableFuture<Void> allGone = CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new));
        awaitQuietly(allGone, gracePeriodMs);
        List<ProcessHandle> handles = new ArrayList<>();
        for (Exec e : all) {
            if (e.process.isAlive()) {
                handles.addAll(ProcessTree.terminate(e.process));
            }
        }
        if (!handles.isEmpty()) {
            awaitQuietly(allGone, Math.min(gracePeriodMs, FORCE_KILL_WAIT_MS));
            ProcessTree.forceKill(handles);
            awaitQuietly(allGone, FORCE_KILL_WAIT_MS);
        }
        // Exits are queued by the reaper threads: wait for them to reach the queue.
        for (Exec e : new ArrayList<>(all)) {
            awaitQuietly(e.process.onExit(), FORCE_KILL_WAIT_MS);
        }
        out.addAll(drain());
        for (Exec e : new ArrayList<>(all)) {
            // Not exited even after SIGKILL, or its exit not queued yet: end it here.
            all.remove(e);
            checkpointsToDelete.add(e.sandbox);
            boolean stopped = e.reader.stop(READER_JOIN_MS);
            for (Exec.Task t : e.tasks.values()) {
                out.add(taskStatus(e, t.taskId, TaskState.KILLED, TaskStatusReason.AGENT_SHUTDOWN, "killed at agent shutdown"));
            }
            e.tasks.clear();
            if (stopped) {
                e.channel.close();
            }
            e.guard.release();
            ended.accept(e.key, "killed at agent shutdown");
        }
        return out;
    }

    private TaskStatus taskStatus(Exec e, String taskId, TaskState state, TaskStatusReason reason, String message) {
        if (state == TaskState.KILLED && reason == TaskStatusReason.AGENT_SHUTDOWN) {
            message = "killed at agent shutdown";
        }
        return statuses.builder(e.key.frameworkId(), taskId, state, reason, message == null ? "" : message)
                .setSandboxPath(e.sandbox.toString())
                .build();
    }

    static void awaitQuietly(CompletableFuture<?> future, long timeoutMs) {
        try {
            future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the caller escalates or gives up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
