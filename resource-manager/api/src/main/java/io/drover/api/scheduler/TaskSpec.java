package io.drover.api.scheduler;

import java.util.List;
import java.util.Map;

/**
 * A task to launch on an offer's agent.
 *
 * @param taskId unique within the framework: 1 to 200 letters, digits, '.', '_' or '-'
 * @param name a human-readable name
 * @param agentId the agent of the accepted offers
 * @param resources what the task may use
 * @param command program and arguments, run directly (use {@code sh -c} for shell syntax)
 * @param environment variables added to the agent's environment
 * @param uris files the agent fetches into the task's sandbox, in order, before the command
 *     starts; a failed fetch fails the task with LAUNCH_FAILED and the command never runs
 * @param executor the executor that runs the task instead of a command, started by the agent
 *     if it does not run yet; null for a command task. With an executor, {@code command},
 *     {@code environment} and {@code uris} are not used and may be empty
 * @param data opaque bytes handed to the executor with the task (at most 64 KiB); null for none
 */
public record TaskSpec(String taskId, String name, String agentId, ResourceSpec resources,
        List<String> command, Map<String, String> environment, List<Uri> uris, ExecutorSpec executor, byte[] data) {

    /** Most bytes of {@link #data}; the master and the agent refuse a task with more. */
    public static final int MAX_DATA_BYTES = 64 * 1024;

    /**
     * A long-lived process that runs many tasks of the framework on one agent (see the
     * {@code io.drover.executor} library).
     *
     * @param executorId names the executor on the agent: tasks with the same id share one
     *     process; same rules as a task id
     * @param command program and arguments that start it, run directly
     * @param environment variables added to the agent's environment for it
     * @param resources what the executor process uses itself, besides its tasks
     * @param uris files the agent fetches into the executor's sandbox, in order, before it starts
     *     the process (its working directory); a failed fetch fails the tasks launched with it
     *     with LAUNCH_FAILED, naming the URI and why, and the process never starts
     */
    public record ExecutorSpec(String executorId, List<String> command, Map<String, String> environment, ResourceSpec resources,
                               List<Uri> uris) {
        public ExecutorSpec {
            command = List.copyOf(command);
            environment = environment == null ? Map.of() : Map.copyOf(environment);
            uris = uris == null ? List.of() : List.copyOf(uris);
        }

        /** An executor with nothing to fetch. */
        public ExecutorSpec(String executorId, List<String> command, Map<String, String> environment, ResourceSpec resources) {
            this(executorId, command, environment, resources, List.of());
        }
    }

    /**
     * A file to fetch into the sandbox.
     *
     * @param value a {@code file://}, {@code http://} or {@code https://} URL
     * @param sha256 the content's SHA-256 in hex, checked (and the content cached) by the agent;
     *     null for no check
     * @param executable whether the file gets the execute bits
     * @param fileName its name in the sandbox; null for the URL's last path segment
     */
    public record Uri(String value, String sha256, boolean executable, String fileName) {
        /** {@code value} unchecked, not executable, under its own name. */
        public static Uri of(String value) {
            return new Uri(value, null, false, null);
        }
    }

    public TaskSpec {
        uris = uris == null ? List.of() : List.copyOf(uris);
        command = command == null ? List.of() : command;
        environment = environment == null ? Map.of() : environment;
        data = data == null ? null : data.clone();
    }

    /** A command task whose URIs are fetched first. */
    public TaskSpec(String taskId, String name, String agentId, ResourceSpec resources,
                    List<String> command, Map<String, String> environment, List<Uri> uris) {
        this(taskId, name, agentId, resources, command, environment, uris, null, null);
    }

    /** A task run by {@code executor}, which gets {@code data} with it. */
    public static TaskSpec forExecutor(String taskId, String name, String agentId, ResourceSpec resources,
                                       ExecutorSpec executor, byte[] data) {
        return new TaskSpec(taskId, name, agentId, resources, List.of(), Map.of(), List.of(), executor, data);
    }

    /** A copy of the data (records hand out their arrays otherwise); null when none. */
    @Override
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    /** A task without URIs to fetch. */
    public TaskSpec(String taskId, String name, String agentId, ResourceSpec resources,
                    List<String> command, Map<String, String> environment) {
        this(taskId, name, agentId, resources, command, environment, List.of());
    }
}
