package io.drover.agent;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.executor.AgentHello;
import io.drover.executor.ChannelEnd;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One take-over, by a restarted agent, of the executors its earlier run left: for each
 * {@link ExecutorCheckpoint}, the executor is rebuilt as an {@link Exec}, what it wrote while no
 * agent read is replayed through the supervisor, and it is then re-attached to the supervisor, or
 * killed, or, when its process is gone, its tasks are ended. It owns only that decision and the
 * results it gathers ({@link ExecutorSupervisor.Recovered}); the live executors, their messages
 * and their ends stay the supervisor's. See {@link ExecutorSupervisor#recover} for the contract.
 *
 * <p>Used once, on the agent's loop thread, before the loop runs.
 */
final class ExecutorRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorRecovery.class);

    private final ExecutorSupervisor supervisor;
    private final Isolator isolator;
    private final StatusFactory statuses;
    private final Clock clock;
    private final AgentConfig.Recovery mode;
    private final long gracePeriodMs;
    private final Set<StatusUpdateQueue.TaskKey> reportedEnded;
    private final Set<StatusUpdateQueue.TaskKey> reportedRunning;
    private final long now;
    private final List<TaskStatus> out = new ArrayList<>();
    private final List<ExecutorSupervisor.Key> reattached = new ArrayList<>();
    private final List<StatusUpdateQueue.TaskKey> tasks = new ArrayList<>();

    ExecutorRecovery(ExecutorSupervisor supervisor, Isolator isolator, StatusFactory statuses, Clock clock, AgentConfig.Recovery mode,
                     long gracePeriodMs, Set<StatusUpdateQueue.TaskKey> reportedEnded, Set<StatusUpdateQueue.TaskKey> reportedRunning) {
        this.supervisor = supervisor;
        this.isolator = isolator;
        this.statuses = statuses;
        this.clock = clock;
        this.mode = mode;
        this.gracePeriodMs = gracePeriodMs;
        this.reportedEnded = reportedEnded;
        this.reportedRunning = reportedRunning;
        this.now = clock.millis();
    }

    /** Takes over the executors of {@code checkpoints}, in order; see {@link ExecutorSupervisor#recover}. */
    ExecutorSupervisor.Recovered run(List<ExecutorCheckpoint> checkpoints) {
        for (ExecutorCheckpoint c : checkpoints) {
            take(c);
        }
        return new ExecutorSupervisor.Recovered(out, reattached, tasks);
    }

    private void take(ExecutorCheckpoint c) {
        ExecutorSupervisor.Key key = new ExecutorSupervisor.Key(c.frameworkId(), c.executorId());
        if (supervisor.isLive(key)) {
            LOG.warn("executor {} of framework {}: a second checkpoint in {}; ending its tasks", key.executorId(), key.frameworkId(),
                    c.sandbox());
        }
        Optional<ProcessHandle> process = c.liveProcess();
        ChannelEnd channel;
        try {
            channel = ChannelEnd.agentEnd(c.sandbox().resolve("queues"), clock);
        } catch (IOException | RuntimeException ex) {
            LOG.error("executor {} of framework {}: cannot open its queues in {}: {}; killing it, its tasks fail", key.executorId(),
                    key.frameworkId(), c.sandbox(), ex.toString());
            process.ifPresent(p -> ProcessTree.forceKill(ProcessTree.terminate(p)));
            for (ExecutorCheckpoint.Task t : c.tasks()) {
                StatusUpdateQueue.TaskKey tk = new StatusUpdateQueue.TaskKey(c.frameworkId(), t.taskId());
                if (!reportedEnded.contains(tk)) {
                    out.add(statuses.builder(c.frameworkId(), t.taskId(), TaskState.FAILED, TaskStatusReason.EXECUTOR_TERMINATED,
                            "its executor's queues cannot be opened after an agent restart: " + ex.getMessage())
                            .setSandboxPath(c.sandbox().toString()).build());
                }
            }
            supervisor.deleteCheckpointLater(c.sandbox());
            return;
        }
        boolean attach = process.isPresent() && mode == AgentConfig.Recovery.REATTACH && supervisor.canAdopt(key);
        Isolator.Guard guard = Isolator.NO_GUARD;
        if (attach) {
            try {
                guard = isolator.reattach(key.frameworkId(), ExecutorSupervisor.SANDBOX_PREFIX + key.executorId(), process.get(), c.limits());
            } catch (IOException | RuntimeException ex) {
                LOG.warn("executor {} of framework {}: re-attached without its limits: {}", key.executorId(), key.frameworkId(),
                        ex.toString());
            }
        }
        Exec e = supervisor.newExec(key, c.sandbox(), process.orElse(null), c.startedAtMs(), c.executor(), channel, guard, c.limits(), now);
        e.hello = true;
        e.processedSequence = c.processedSequence();
        e.skipThrough = c.processedSequence();
        for (ExecutorCheckpoint.Task t : c.tasks()) {
            StatusUpdateQueue.TaskKey tk = new StatusUpdateQueue.TaskKey(c.frameworkId(), t.taskId());
            if (reportedEnded.contains(tk)) {
                continue;
            }
            Exec.Task et = new Exec.Task(t.taskId(), t.resources());
            et.running = t.running() || reportedRunning.contains(tk);
            e.tasks.put(t.taskId(), et);
        }
        // What it wrote while no agent read, and what the earlier run read but never journaled.
        supervisor.readQueued(e, now, out);
        if (attach) {
            reattach(e, c, process.get());
        } else {
            endRecovered(e, c, process);
        }
    }

    /** Puts a recovered executor whose process runs back in service, and tells it this agent is up. */
    private void reattach(Exec e, ExecutorCheckpoint c, ProcessHandle process) {
        ExecutorSupervisor.Key key = e.key;
        try {
            e.channel.send(AgentHello.newBuilder().setAgentPid(ProcessHandle.current().pid()).setStartedAtMs(now).build());
        } catch (RuntimeException ex) {
            // Without it the executor gives up after its reconnect timeout; its exit then fails its tasks.
            LOG.error("executor {} of framework {}: cannot send AgentHello: {}", key.executorId(), key.frameworkId(), ex.toString());
        }
        supervisor.adopt(e, process.onExit().thenApply(h -> ProcessLauncher.readExitCode(e.sandbox).orElse(-1)));
        if (e.tasks.isEmpty()) {
            e.idleSinceMs = now;
        }
        reattached.add(key);
        for (String taskId : e.tasks.keySet()) {
            tasks.add(new StatusUpdateQueue.TaskKey(key.frameworkId(), taskId));
        }
        LOG.info("re-attached to executor {} of framework {} (pid {}) in {} with {} tasks", key.executorId(), key.frameworkId(),
                c.pid(), c.sandbox(), e.tasks.size());
    }

    /**
     * Ends a recovered executor that is not re-attached: kills its process when it still runs
     * (blocking up to the grace period and then {@link ExecutorSupervisor#FORCE_KILL_WAIT_MS}),
     * and ends its tasks.
     */
    private void endRecovered(Exec e, ExecutorCheckpoint c, Optional<ProcessHandle> process) {
        ExecutorSupervisor.Key key = e.key;
        String why;
        if (process.isPresent()) {
            ProcessHandle p = process.get();
            LOG.info("executor {} of framework {} (pid {}) outlived the agent's earlier run: killing it ({})", key.executorId(),
                    key.frameworkId(), p.pid(), mode == AgentConfig.Recovery.CLEANUP ? "cleanup" : "not re-attached");
            List<ProcessHandle> tree = ProcessTree.terminate(p);
            ExecutorSupervisor.awaitQuietly(p.onExit(), Math.min(gracePeriodMs, Tasks.MAX_GRACE_PERIOD_MS));
            ProcessTree.forceKill(tree);
            ExecutorSupervisor.awaitQuietly(p.onExit(), ExecutorSupervisor.FORCE_KILL_WAIT_MS);
            for (Exec.Task t : e.tasks.values()) {
                t.killReason = TaskStatusReason.AGENT_SHUTDOWN;
            }
            why = "killed by an agent restarted with --recover=cleanup";
            // What it reported while it was being stopped still counts.
            supervisor.readQueued(e, now, out);
        } else {
            why = "executor " + key.executorId() + " ended while the agent was down"
                    + ProcessLauncher.readExitCode(c.sandbox()).stream().mapToObj(code -> " (exit code " + code + ")").findFirst().orElse("");
            LOG.info("executor {} of framework {}: {}; {} of its tasks had not reported their end", key.executorId(), key.frameworkId(),
                    why, e.tasks.size());
        }
        supervisor.end(e, why, out);
        e.channel.close();
        supervisor.deleteCheckpointLater(c.sandbox());
    }
}
