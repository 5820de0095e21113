package io.drover.agent;

import io.drover.api.Ids;
import io.drover.api.ResourceMath;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskInfo;
import io.drover.executor.ChannelEnd;
import io.drover.executor.ExecutorEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an executor process comes to be, for {@link ExecutorSupervisor}: the checks a task naming
 * an executor must pass, and the start of the process itself: the agent end of its channel
 * ({@link ChannelEnd}) in its sandbox, its variables ({@link ExecutorEnvironment}, and
 * {@link io.drover.executor.AgentServices} for what {@link #advertise} set), the launcher's
 * wrapper, and the isolator's limits, applied before the wrapper starts the executor's command.
 * What happens to the process once it runs is the supervisor's.
 *
 * <p>Only the agent's loop thread calls it, but {@link #advertise} may come from another.
 */
final class ExecutorLaunch {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorLaunch.class);

    /** A started executor process, inside its limits, and the agent end of its channel. */
    record Launched(Process process, long startedAtMs, ChannelEnd channel, Isolator.Guard guard, Resources limits) {}

    private final ExecutorConfig config;
    private final String agentId;
    private final ProcessLauncher launcher;
    private final Isolator isolator;
    private final Clock clock;
    /** What executors learn of the agent's services ({@link io.drover.executor.AgentServices}). */
    private volatile String advertisedHttp = "";
    private volatile Path shuffleRoot;

    ExecutorLaunch(ExecutorConfig config, String agentId, ProcessLauncher launcher, Isolator isolator, Clock clock) {
        this.config = config;
        this.agentId = agentId;
        this.launcher = launcher;
        this.isolator = isolator;
        this.clock = clock;
    }

    /** Where the agent's HTTP server and shuffle directories are, for executors started from now on. */
    void advertise(String httpAddress, Path shuffleRoot) {
        this.advertisedHttp = httpAddress == null ? "" : httpAddress;
        this.shuffleRoot = shuffleRoot;
    }

    /** Why the task cannot go to an executor here (bad ids, another agent's, no command, data too large), or null. */
    String validate(String frameworkId, TaskInfo task) {
        ExecutorInfo info = task.getExecutor();
        try {
            Ids.requireValid("framework id", frameworkId);
            Ids.requireValid("task id", task.getTaskId());
            Ids.requireValid("executor id", info.getExecutorId());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        for (String id : List.of(frameworkId, task.getTaskId(), info.getExecutorId())) {
            if (id.equals(".") || id.equals("..")) {
                return "'.' and '..' cannot be framework, task or executor ids";
            }
        }
        if (!agentId.equals(task.getAgentId())) {
            return "task is for agent '" + task.getAgentId() + "', not this agent '" + agentId + "'";
        }
        if (info.getCommand() == null || info.getCommand().getArguments().isEmpty()) {
            return "the task's executor has no command to start it";
        }
        if (task.getData() != null && task.getData().remaining() > ChannelEnd.MAX_MESSAGE_BYTES / 2) {
            return "the task's data of " + task.getData().remaining() + " bytes exceeds " + ChannelEnd.MAX_MESSAGE_BYTES / 2;
        }
        return null;
    }

    /** Creates a new sandbox for a run of this executor (see {@link ExecutorSupervisor}). */
    Path createSandbox(ExecutorSupervisor.Key key) throws IOException {
        return launcher.createSandbox(key.frameworkId(), ExecutorSupervisor.SANDBOX_PREFIX + key.executorId());
    }

    /**
     * Starts the executor's process in {@code sandbox}, under limits of its own resources plus
     * {@code firstTask}, with the agent end of its channel open.
     *
     * @throws IOException when the process cannot start or its limits cannot be applied (it is
     *     then killed, and the channel closed)
     */
    Launched start(ExecutorSupervisor.Key key, ExecutorInfo info, Resources firstTask, Path sandbox) throws IOException {
        Path queues = sandbox.resolve("queues");
        ChannelEnd channel = ChannelEnd.agentEnd(queues, clock);
        ExecutorEnvironment env = new ExecutorEnvironment(key.executorId(), queues, ProcessHandle.current().pid(),
                config.heartbeatIntervalMs(), config.heartbeatTimeoutMs(), config.busySpin(), config.heartbeatTimeoutMs());
        Map<String, String> vars = new HashMap<>(info.getCommand().getEnvironment());
        vars.putAll(env.toVariables());
        vars.put(io.drover.executor.AgentServices.AGENT_ID, agentId);
        if (!advertisedHttp.isEmpty()) {
            vars.put(io.drover.executor.AgentServices.AGENT_HTTP, advertisedHttp);
        }
        if (shuffleRoot != null) {
            vars.put(io.drover.executor.AgentServices.SHUFFLE_DIR, shuffleRoot.resolve(key.frameworkId()).toString());
        }
        CommandInfo command = CommandInfo.newBuilder(info.getCommand()).setEnvironment(vars).build();
        ProcessLauncher.Started started;
        try {
            started = launcher.start(key.frameworkId(), ExecutorSupervisor.SANDBOX_PREFIX + key.executorId(), command, sandbox);
        } catch (IOException | RuntimeException ex) {
            channel.close();
            throw ex;
        }
        Process process = started.process();
        Isolator.Guard guard;
        Resources limits = ResourceMath.add(info.getResources(), firstTask);
        try {
            guard = isolator.attach(key.frameworkId(), ExecutorSupervisor.SANDBOX_PREFIX + key.executorId(), process.toHandle(), limits);
        } catch (IOException | RuntimeException ex) {
            ProcessTree.forceKill(ProcessTree.terminate(process.toHandle()));
            channel.close();
            throw new IOException("cannot apply its limits: " + ex.getMessage(), ex);
        }
        try {
            // Only now, inside its limits, does the launcher's wrapper start the executor's command.
            started.go();
        } catch (IOException ex) {
            LOG.warn("executor {} of framework {}: its wrapper ended before it could start the command: {}", key.executorId(),
                    key.frameworkId(), ex.toString());
        }
        long startedAtMs = process.toHandle().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return new Launched(process, startedAtMs, channel, guard, limits);
    }
}
