package io.drover.master.http;

import java.util.List;
import java.util.Map;

/**
 * An immutable picture of the master's state, built by the master's thread and read by the
 * HTTP server's threads, so that reading never stalls the allocator. Field names are the JSON
 * names of the HTTP API (docs/http-api.md).
 */
public record ClusterView(
        Master master,
        Totals totals,
        List<Agent> agents,
        List<Framework> frameworks,
        List<Task> tasks,
        List<Role> roles,
        Map<String, Integer> tasksByState) {

    /** Resource amounts as numbers; the JSON form of io.drover.api.protocol.Resources. */
    public record Amount(double cpus, long memMb, long diskMb, int gpus) {}

    /** The master that built this view. */
    public record Master(String id, long epoch, boolean active, long builtAtMs, long logOffset) {}

    /** Whole-cluster sums. */
    public record Totals(int agents, int frameworks, int tasks, Amount total, Amount used, Amount offered) {}

    /**
     * @param state ACTIVE, UNREACHABLE, DRAINING (maintenance: no offers, tasks finishing) or
     *     DRAINED (maintenance: nothing runs)
     * @param httpAddress where the agent serves its tasks' logs, host:port; empty if it does not
     */
    public record Agent(String id, String hostname, String state, Map<String, String> attributes, Amount total, Amount used,
            Amount offered, int tasks, long registeredAtMs, Long lastHeartbeatMs, String httpAddress) {}

    public record Framework(String id, String name, String role, String principal, String user, long subscribedAtMs,
            long failoverTimeoutMs, Amount allocated, double dominantShare, int activeTasks, int offers, boolean suppressed) {}

    public record Task(String frameworkId, String taskId, String name, String agentId, String state, String reason,
            String message, Amount resources, long updatedAtMs) {}

    public record Role(String name, Amount allocated, double dominantShare, List<String> frameworks) {}
}
