package io.drover.executor;

/**
 * Environment variables through which an agent tells the executors it starts about its own
 * services, besides the channel ({@link ExecutorEnvironment}). Each may be absent (an agent
 * without an HTTP server sets no {@link #AGENT_HTTP}).
 */
public final class AgentServices {
    private AgentServices() {}

    /** The id of the agent that started the executor. */
    public static final String AGENT_ID = "DROVER_AGENT_ID";

    /**
     * {@code host:port} of the agent's HTTP server, which serves the map outputs under
     * {@link #SHUFFLE_DIR} to other hosts ({@code GET /api/v1/shuffle/...}).
     */
    public static final String AGENT_HTTP = "DROVER_AGENT_HTTP";

    /**
     * A directory of the agent's, one per framework ({@code <agent work dir>/shuffle/<framework>}),
     * where executors keep files that must outlive them: the job framework's map outputs. The agent
     * serves it over HTTP and never deletes it while the agent runs; the framework deletes what it
     * no longer needs.
     */
    public static final String SHUFFLE_DIR = "DROVER_SHUFFLE_DIR";
}
