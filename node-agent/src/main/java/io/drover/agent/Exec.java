package io.drover.agent;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.executor.ExecutorMessage;
import io.drover.executor.ChannelEnd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One executor process as {@link ExecutorSupervisor} sees it: its process, sandbox, channel and
 * the thread reading it, its isolator guard and limits, the tasks handed to it, and its timers.
 * It owns what touches only itself: growing its limits, writing its {@link ExecutorCheckpoint},
 * sending to it, and terminating its process tree. What its messages mean, and when it ends, is
 * the supervisor's.
 *
 * <p>Not thread-safe: only the agent's loop thread touches it; its reader thread hands messages
 * to the {@link Inbox} it was given.
 */
final class Exec {
    private static final Logger LOG = LoggerFactory.getLogger(Exec.class);

    /** Where an executor's reader hands its messages; a bounded queue. */
    interface Inbox {
        /** @return false when the inbox stayed full for {@code timeoutMs} */
        boolean offer(Exec from, ExecutorMessage message, long timeoutMs) throws InterruptedException;
    }

    /** One task handed to an executor. */
    static final class Task {
        final String taskId;
        final Resources resources;
        boolean running;
        /** When the executor must have confirmed a kill; 0 when not being killed. */
        long killDeadlineMs;
        TaskStatusReason killReason;

        Task(String taskId, Resources resources) {
            this.taskId = taskId;
            this.resources = resources;
        }
    }

    final ExecutorSupervisor.Key key;
    final Path sandbox;
    final ProcessHandle process;
    /** The process's start time, for the checkpoint. */
    final long processStartedAtMs;
    final ExecutorInfo info;
    final ChannelEnd channel;
    final Isolator.Guard guard;
    /** What the executor process itself was given. */
    final Resources own;
    /** Its limits now: its own resources plus the most its tasks held at once. */
    Resources limits;
    final Map<String, Task> tasks = new LinkedHashMap<>();
    final ExecutorReader reader;
    boolean hello;
    long heardAtMs;
    long nextHeartbeatAtMs;
    long idleSinceMs;
    /** Set when it is told to shut down or killed: it takes no more tasks. */
    boolean ending;
    /** When to send SIGTERM/SIGKILL to its tree if it still runs; 0 when not scheduled. */
    long terminateAtMs;
    long forceKillAtMs;
    List<ProcessHandle> tree = List.of();
    /** Sequence of the last to-agent message handled; those up to {@link #skipThrough} were handled by an earlier run. */
    long processedSequence = -1;
    long skipThrough = -1;
    /** Whether its checkpoint lags what the loop did. */
    boolean dirty = true;

    /**
     * @param process null when a recovered executor's process is gone
     * @param busySpin whether its reader spins between empty polls
     * @param inbox where its reader, once started, hands its messages
     */
    Exec(ExecutorSupervisor.Key key, Path sandbox, ProcessHandle process, long processStartedAtMs, ExecutorInfo info, ChannelEnd channel,
         Isolator.Guard guard, Resources limits, long now, boolean busySpin, Inbox inbox) {
        this.key = key;
        this.processStartedAtMs = processStartedAtMs;
        this.info = info;
        this.own = info.getResources();
        this.limits = limits;
        this.sandbox = sandbox;
        this.process = process;
        this.channel = channel;
        this.guard = guard;
        this.heardAtMs = now;
        this.nextHeartbeatAtMs = now;
        this.idleSinceMs = now;
        this.reader = new ExecutorReader(key.frameworkId() + "/" + key.executorId(), channel, busySpin,
                (m, timeoutMs) -> inbox.offer(this, m, timeoutMs));
    }

    /**
     * Raises its limits to its own resources plus its tasks' when that is more: they grow with
     * the tasks it runs at once and never shrink (the kernel may refuse a memory limit below what
     * the process uses, and a JVM rarely gives memory back). A refusal is logged; the limits stay.
     */
    void growLimits() {
        Resources needed = own;
        for (Task t : tasks.values()) {
            needed = ResourceMath.add(needed, t.resources);
        }
        if (needed.getCpus() <= limits.getCpus() && needed.getMemMb() <= limits.getMemMb()) {
            return;
        }
        Resources grown = ResourceMath.of(Math.max(needed.getCpus(), limits.getCpus()), Math.max(needed.getMemMb(), limits.getMemMb()),
                0, 0);
        try {
            guard.grow(grown);
            limits = grown;
        } catch (IOException | RuntimeException ex) {
            LOG.warn("executor {} of framework {}: cannot raise its limits to {}: {}", key.executorId(), key.frameworkId(),
                    ResourceMath.format(grown), ex.getMessage());
        }
    }

    /** Writes its checkpoint and clears {@link #dirty}; a failure is logged and leaves it dirty. */
    void writeCheckpoint() {
        List<ExecutorCheckpoint.Task> ts = new ArrayList<>(tasks.size());
        for (Task t : tasks.values()) {
            ts.add(new ExecutorCheckpoint.Task(t.taskId, t.resources, t.running));
        }
        try {
            new ExecutorCheckpoint(key.frameworkId(), key.executorId(), sandbox, process.pid(), processStartedAtMs, info, limits,
                    processedSequence, ts).write();
            dirty = false;
        } catch (IOException | RuntimeException ex) {
            LOG.warn("executor {} of framework {}: cannot write its checkpoint ({}); an agent restart may not re-attach to it",
                    key.executorId(), key.frameworkId(), ex.toString());
        }
    }

    /** Sends it a message; a failure is logged, not thrown (its silence or exit then tells). */
    void send(Object body) {
        try {
            channel.send(body);
        } catch (RuntimeException ex) {
            LOG.warn("executor {}: cannot send {}: {}", key.executorId(), body.getClass().getSimpleName(), ex.getMessage());
        }
    }

    /** SIGTERM to its process tree, when it still runs, and SIGKILL scheduled {@code graceMs} later. */
    void terminate(long now, long graceMs) {
        if (!process.isAlive()) {
            return;
        }
        tree = ProcessTree.terminate(process);
        forceKillAtMs = now + graceMs;
    }
}
