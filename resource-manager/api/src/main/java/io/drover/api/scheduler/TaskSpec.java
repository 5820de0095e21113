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
 */
public record TaskSpec(String taskId, String name, String agentId, ResourceSpec resources,
        List<String> command, Map<String, String> environment, List<Uri> uris) {

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
    }

    /** A task without URIs to fetch. */
    public TaskSpec(String taskId, String name, String agentId, ResourceSpec resources,
                    List<String> command, Map<String, String> environment) {
        this(taskId, name, agentId, resources, command, environment, List.of());
    }
}
