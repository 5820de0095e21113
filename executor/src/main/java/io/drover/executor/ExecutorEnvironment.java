package io.drover.executor;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the agent tells an executor process it starts, through environment variables, and the
 * parsed values.
 *
 * @param executorId the executor id of the tasks this process runs
 * @param queuesDir the directory holding the two queues ({@link ChannelEnd})
 * @param agentPid the agent's process id; the executor exits when that process is gone
 * @param heartbeatIntervalMs how often each side sends a heartbeat
 * @param heartbeatTimeoutMs how long without any message from the agent before the executor
 *     takes it for gone and exits
 * @param busySpin whether the reader spins instead of backing off between empty polls
 */
public record ExecutorEnvironment(String executorId, Path queuesDir, long agentPid, long heartbeatIntervalMs,
                                  long heartbeatTimeoutMs, boolean busySpin) {
    public static final String EXECUTOR_ID = "DROVER_EXECUTOR_ID";
    public static final String QUEUES_DIR = "DROVER_EXECUTOR_QUEUES";
    public static final String AGENT_PID = "DROVER_AGENT_PID";
    public static final String HEARTBEAT_INTERVAL_MS = "DROVER_EXECUTOR_HEARTBEAT_INTERVAL_MS";
    public static final String HEARTBEAT_TIMEOUT_MS = "DROVER_EXECUTOR_HEARTBEAT_TIMEOUT_MS";
    public static final String BUSY_SPIN = "DROVER_EXECUTOR_BUSY_SPIN";
    /** Bounds of both heartbeat values, in ms. */
    public static final long MIN_HEARTBEAT_MS = 10;
    public static final long MAX_HEARTBEAT_MS = 3_600_000;

    public ExecutorEnvironment {
        if (executorId == null || executorId.isEmpty()) {
            throw new IllegalArgumentException("executor id must not be empty");
        }
        check(HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs);
        check(HEARTBEAT_TIMEOUT_MS, heartbeatTimeoutMs);
        if (heartbeatTimeoutMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException(HEARTBEAT_TIMEOUT_MS + " (" + heartbeatTimeoutMs + ") must exceed "
                    + HEARTBEAT_INTERVAL_MS + " (" + heartbeatIntervalMs + ")");
        }
    }

    private static void check(String name, long ms) {
        if (ms < MIN_HEARTBEAT_MS || ms > MAX_HEARTBEAT_MS) {
            throw new IllegalArgumentException(name + " must be in [" + MIN_HEARTBEAT_MS + ", " + MAX_HEARTBEAT_MS + "], was " + ms);
        }
    }

    /** The variables an agent sets for this environment. */
    public Map<String, String> toVariables() {
        Map<String, String> env = new HashMap<>();
        env.put(EXECUTOR_ID, executorId);
        env.put(QUEUES_DIR, queuesDir.toString());
        env.put(AGENT_PID, Long.toString(agentPid));
        env.put(HEARTBEAT_INTERVAL_MS, Long.toString(heartbeatIntervalMs));
        env.put(HEARTBEAT_TIMEOUT_MS, Long.toString(heartbeatTimeoutMs));
        env.put(BUSY_SPIN, Boolean.toString(busySpin));
        return env;
    }

    /**
     * Parses the variables of {@link #toVariables()}.
     *
     * @throws IllegalArgumentException naming the variable that is missing or bad (the process
     *     was not started by an agent)
     */
    public static ExecutorEnvironment fromVariables(Map<String, String> env) {
        return new ExecutorEnvironment(required(env, EXECUTOR_ID), Path.of(required(env, QUEUES_DIR)),
                number(env, AGENT_PID), number(env, HEARTBEAT_INTERVAL_MS), number(env, HEARTBEAT_TIMEOUT_MS),
                Boolean.parseBoolean(env.getOrDefault(BUSY_SPIN, "false")));
    }

    private static String required(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set: executors are started by a Drover agent");
        }
        return v;
    }

    private static long number(Map<String, String> env, String name) {
        String v = required(env, name);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("environment variable " + name + " must be a whole number, was '" + v + "'");
        }
    }
}
