package io.drover.agent;

import io.drover.executor.ExecutorEnvironment;

/**
 * How the agent runs executors (long-lived processes that run many tasks of one framework, see
 * {@link ExecutorSupervisor}). Validated at construction.
 *
 * @param maxExecutors executor processes that may run at once (shutting down ones included);
 *     a launch that needs one more fails with LAUNCH_FAILED
 * @param maxTasksPerExecutor tasks one executor may run at once; further launches to it fail
 * @param heartbeatIntervalMs how often the agent and each executor send each other a heartbeat
 * @param heartbeatTimeoutMs how long an executor may stay silent (no message at all, its hello
 *     included) before the agent kills it and fails its tasks with EXECUTOR_TERMINATED
 * @param idleTimeoutMs how long an executor may run without tasks before it is told to shut down
 * @param handoffCapacity messages read from the executors' queues that may wait for the agent's
 *     loop; the readers wait (the queues, on disk, hold the rest) while it is full
 * @param busySpin whether the readers (the agent's and the executors') spin instead of using
 *     Chronicle's balanced back-off between empty polls; costs one CPU per reader
 */
public record ExecutorConfig(int maxExecutors, int maxTasksPerExecutor, long heartbeatIntervalMs, long heartbeatTimeoutMs,
                             long idleTimeoutMs, int handoffCapacity, boolean busySpin) {
    public static final int DEFAULT_MAX_EXECUTORS = 64;
    public static final int DEFAULT_MAX_TASKS_PER_EXECUTOR = 1_000;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
    public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_HANDOFF_CAPACITY = 10_000;
    /** Upper bounds of the counts. */
    public static final int MAX_EXECUTORS_LIMIT = 1_000;
    public static final int MAX_TASKS_PER_EXECUTOR_LIMIT = 100_000;
    public static final int MAX_HANDOFF_CAPACITY = 1_000_000;

    /** The defaults. */
    public static final ExecutorConfig DEFAULTS = new ExecutorConfig(DEFAULT_MAX_EXECUTORS, DEFAULT_MAX_TASKS_PER_EXECUTOR,
            DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_HANDOFF_CAPACITY, false);

    public ExecutorConfig {
        range("maxExecutors", maxExecutors, 1, MAX_EXECUTORS_LIMIT);
        range("maxTasksPerExecutor", maxTasksPerExecutor, 1, MAX_TASKS_PER_EXECUTOR_LIMIT);
        range("handoffCapacity", handoffCapacity, 1, MAX_HANDOFF_CAPACITY);
        // The executor checks the same bounds on what the agent passes it.
        range("executorHeartbeatIntervalMs", heartbeatIntervalMs, ExecutorEnvironment.MIN_HEARTBEAT_MS, ExecutorEnvironment.MAX_HEARTBEAT_MS);
        range("executorHeartbeatTimeoutMs", heartbeatTimeoutMs, 2 * heartbeatIntervalMs, ExecutorEnvironment.MAX_HEARTBEAT_MS);
        range("executorIdleTimeoutMs", idleTimeoutMs, 0, AgentConfig.MAX_DURATION_MS);
    }

    private static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }

    public ExecutorConfig withIdleTimeoutMs(long ms) {
        return new ExecutorConfig(maxExecutors, maxTasksPerExecutor, heartbeatIntervalMs, heartbeatTimeoutMs, ms, handoffCapacity, busySpin);
    }

    public ExecutorConfig withHeartbeat(long intervalMs, long timeoutMs) {
        return new ExecutorConfig(maxExecutors, maxTasksPerExecutor, intervalMs, timeoutMs, idleTimeoutMs, handoffCapacity, busySpin);
    }

    public ExecutorConfig withMaxExecutors(int n) {
        return new ExecutorConfig(n, maxTasksPerExecutor, heartbeatIntervalMs, heartbeatTimeoutMs, idleTimeoutMs, handoffCapacity, busySpin);
    }
}
