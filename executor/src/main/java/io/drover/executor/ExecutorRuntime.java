package io.drover.executor;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.executor.ExecutorHello;
import io.drover.api.protocol.executor.ExecutorMessage;
import io.drover.api.protocol.executor.Heartbeat;
import io.drover.api.protocol.executor.KillTask;
import io.drover.api.protocol.executor.LaunchTask;
import io.drover.api.protocol.executor.Shutdown;
import io.drover.api.protocol.executor.TaskUpdate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.threads.Pauser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Executor} in a process the agent started: opens the executor's end of the
 * channel, says hello, hands the agent's requests to the executor on the calling thread, sends
 * the executor's reports and a heartbeat every interval, and returns when the agent asks the
 * executor to shut down or the agent is gone (its process ended, or no message from it for the
 * heartbeat timeout). A framework's executor main is typically:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     System.exit(ExecutorRuntime.runFromEnvironment(new MyExecutor()));
 * }
 * }</pre>
 */
public final class ExecutorRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorRuntime.class);

    /** Exit status after the agent's Shutdown. */
    public static final int EXIT_SHUTDOWN = 0;
    /** Exit status when the agent is gone. */
    public static final int EXIT_AGENT_GONE = 3;
    /** Exit status when the environment does not describe an executor (not started by an agent). */
    public static final int EXIT_BAD_ENVIRONMENT = 2;

    private final ExecutorEnvironment env;
    private final Clock clock;
    private volatile boolean stopRequested;

    public ExecutorRuntime(ExecutorEnvironment env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    /**
     * Runs {@code executor} in the environment the agent set; a bad environment is reported on
     * stderr in one line.
     *
     * @return the process exit status to use: {@link #EXIT_SHUTDOWN}, {@link #EXIT_AGENT_GONE} or
     *     {@link #EXIT_BAD_ENVIRONMENT}
     */
    public static int runFromEnvironment(Executor executor) {
        ExecutorEnvironment env;
        try {
            env = ExecutorEnvironment.fromVariables(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("drover executor: " + e.getMessage());
            return EXIT_BAD_ENVIRONMENT;
        }
        try {
            return new ExecutorRuntime(env, Clock.systemUTC()).run(executor);
        } catch (IOException | RuntimeException e) {
            System.err.println("drover executor " + env.executorId() + ": " + e.getMessage());
            return EXIT_AGENT_GONE;
        }
    }

    /** Makes {@link #run} return soon, as if the agent were gone; any thread. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Runs the executor until a Shutdown, the agent's end, or {@link #stop()}.
     *
     * @return {@link #EXIT_SHUTDOWN} or {@link #EXIT_AGENT_GONE}
     * @throws IOException when the queues cannot be opened
     */
    public int run(Executor executor) throws IOException {
        try (ChannelEnd channel = ChannelEnd.executorEnd(env.queuesDir(), clock)) {
            Driver driver = new Driver(env.executorId(), channel);
            channel.send(ExecutorHello.newBuilder().setExecutorId(env.executorId()).setPid(ProcessHandle.current().pid()).build());
            executor.registered(driver);
            Pauser pauser = env.busySpin() ? ChannelEnd.busyPauser() : ChannelEnd.defaultPauser();
            long now = clock.millis();
            long lastHeardMs = now;
            long nextHeartbeatAtMs = now;
            long nextAgentCheckAtMs = now;
            while (true) {
                ChannelEnd.Received r = channel.poll();
                now = clock.millis();
                if (r != null) {
                    pauser.reset();
                    lastHeardMs = now;
                    if (!r.ok()) {
                        if (channel.skipped() == 1 || channel.skipped() % 1_000 == 0) {
                            LOG.warn("executor {}: skipped a bad message from the agent ({} so far): {}", env.executorId(),
                                    channel.skipped(), r.error());
                        }
                    } else if (dispatch(executor, driver, r.message())) {
                        return EXIT_SHUTDOWN;
                    }
                } else {
                    pauser.pause();
                }
                if (now >= nextHeartbeatAtMs) {
                    channel.send(Heartbeat.newBuilder().setIntervalMs(env.heartbeatIntervalMs()).build());
                    nextHeartbeatAtMs = now + env.heartbeatIntervalMs();
                }
                String gone = null;
                if (stopRequested) {
                    gone = "stop requested";
                } else if (now - lastHeardMs > env.heartbeatTimeoutMs()) {
                    gone = "no message from the agent for " + (now - lastHeardMs) + " ms";
                } else if (now >= nextAgentCheckAtMs) {
                    nextAgentCheckAtMs = now + env.heartbeatIntervalMs();
                    if (!ProcessHandle.of(env.agentPid()).map(ProcessHandle::isAlive).orElse(false)) {
                        gone = "the agent process " + env.agentPid() + " has ended";
                    }
                }
                if (gone != null) {
                    LOG.warn("executor {}: exiting: {}", env.executorId(), gone);
                    shutDown(executor, driver, "the agent is gone");
                    return EXIT_AGENT_GONE;
                }
            }
        }
    }

    /** Returns true on Shutdown. */
    private boolean dispatch(Executor executor, Driver driver, ExecutorMessage m) {
        Object body = m.getBody();
        if (body instanceof LaunchTask launch) {
            String taskId = launch.getTaskId();
            if (!driver.launched(taskId)) {
                LOG.warn("executor {}: task {} launched twice; ignoring the repeat", env.executorId(), taskId);
                return false;
            }
            ByteBuffer data = launch.getData();
            byte[] bytes = new byte[data == null ? 0 : data.remaining()];
            if (data != null) {
                data.duplicate().get(bytes);
            }
            var r = launch.getResources();
            try {
                executor.launch(driver, new TaskLaunch(taskId, launch.getName(), bytes, r.getCpus(), r.getMemMb(), r.getDiskMb()));
            } catch (RuntimeException e) {
                LOG.warn("executor {}: launch of task {} threw", env.executorId(), taskId, e);
                driver.failed(taskId, "the executor's launch threw " + e);
            }
        } else if (body instanceof KillTask kill) {
            if (driver.isActive(kill.getTaskId())) {
                try {
                    executor.kill(driver, kill.getTaskId());
                } catch (RuntimeException e) {
                    LOG.warn("executor {}: kill of task {} threw", env.executorId(), kill.getTaskId(), e);
                }
            }
        } else if (body instanceof Shutdown shutdown) {
            LOG.info("executor {}: the agent asks it to shut down: {}", env.executorId(), shutdown.getReason());
            shutDown(executor, driver, "the executor shut down: " + shutdown.getReason());
            return true;
        } else if (!(body instanceof Heartbeat)) {
            LOG.warn("executor {}: ignoring a message of kind {} from the agent", env.executorId(), body.getClass().getSimpleName());
        }
        return false;
    }

    private void shutDown(Executor executor, Driver driver, String why) {
        try {
            executor.shutdown(driver);
        } catch (RuntimeException e) {
            LOG.warn("executor {}: shutdown threw", env.executorId(), e);
        }
        for (String taskId : driver.active()) {
            driver.killed(taskId, why);
        }
    }

    /** The driver handed to the executor; tracks which tasks still owe a terminal update. */
    private static final class Driver implements ExecutorDriver {
        private enum Phase { LAUNCHED, RUNNING }

        private final String executorId;
        private final ChannelEnd channel;
        private final Map<String, Phase> tasks = new HashMap<>();

        Driver(String executorId, ChannelEnd channel) {
            this.executorId = executorId;
            this.channel = channel;
        }

        synchronized boolean launched(String taskId) {
            return tasks.putIfAbsent(taskId, Phase.LAUNCHED) == null;
        }

        synchronized boolean isActive(String taskId) {
            return tasks.containsKey(taskId);
        }

        synchronized List<String> active() {
            return new ArrayList<>(tasks.keySet());
        }

        @Override
        public String executorId() {
            return executorId;
        }

        @Override
        public synchronized int activeTasks() {
            return tasks.size();
        }

        @Override
        public void running(String taskId) {
            synchronized (this) {
                if (tasks.get(taskId) != Phase.LAUNCHED) {
                    return;
                }
                tasks.put(taskId, Phase.RUNNING);
                report(taskId, TaskState.RUNNING, "");
            }
        }

        @Override
        public void finished(String taskId, String message) {
            terminal(taskId, TaskState.FINISHED, message);
        }

        @Override
        public void failed(String taskId, String message) {
            terminal(taskId, TaskState.FAILED, message);
        }

        @Override
        public void killed(String taskId, String message) {
            terminal(taskId, TaskState.KILLED, message);
        }

        private synchronized void terminal(String taskId, TaskState state, String message) {
            if (tasks.remove(taskId) == null) {
                LOG.warn("executor {}: dropping {} of task {}, which is not active here", executorId, state, taskId);
                return;
            }
            report(taskId, state, message);
        }

        /** Under the lock, so a task's reports enter the queue in the order they were made. */
        private void report(String taskId, TaskState state, String message) {
            String m = message == null ? "" : message;
            if (m.length() > MAX_MESSAGE_CHARS) {
                m = m.substring(0, MAX_MESSAGE_CHARS);
            }
            try {
                channel.send(TaskUpdate.newBuilder().setTaskId(taskId).setState(state).setMessage(m).build());
            } catch (IllegalStateException e) {
                LOG.warn("executor {}: cannot report {} of task {}: {}", executorId, state, taskId, e.getMessage());
            }
        }
    }
}
