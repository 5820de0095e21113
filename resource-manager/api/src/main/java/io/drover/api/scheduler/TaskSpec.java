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
 */
public record TaskSpec(String taskId, String name, String agentId, ResourceSpec resources,
        List<String> command, Map<String, String> environment) {}
