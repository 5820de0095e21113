package io.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover agent drain|undrain AGENT_ID}: maintenance through the master's HTTP API. */
final class AgentDrainCommand {
    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = {"Drain an agent for maintenance: nothing more is offered of it, its running tasks finish,",
                "then it is DRAINED. With --wait, returns once it is."})
    static final class Drain implements Callable<Integer> {
        @Mixin
        MasterOptions master;

        @picocli.CommandLine.ParentCommand
        AgentCommand parent;

        @Parameters(paramLabel = "AGENT_ID", description = "the agent to drain")
        String agentId;

        @Option(names = "--wait", description = "wait until no task runs on it")
        boolean await;

        @Option(names = "--timeout", defaultValue = "1h", converter = Units.DurationConverter.class,
                description = "give up waiting after this long (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException {
            MasterApi api = master.api(parent.cluster);
            api.post("/api/v1/agents/" + agentId + "/drain");
            System.out.println("agent " + agentId + ": drain requested");
            if (!await) {
                return 0;
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                String state = stateOf(api, agentId);
                if (!state.equals(last)) {
                    System.out.println("agent " + agentId + ": " + state);
                    last = state;
                }
                if (state.equals("DRAINED")) {
                    return 0;
                }
                Thread.sleep(POLL.toMillis());
            }
            System.err.println("drover agent drain: agent " + agentId + " is still " + last + " after " + timeout.toSeconds() + " s");
            return 1;
        }
    }

    @Command(name = "undrain", mixinStandardHelpOptions = true, description = "End an agent's drain: it is offered again.")
    static final class Undrain implements Callable<Integer> {
        @Mixin
        MasterOptions master;

        @picocli.CommandLine.ParentCommand
        AgentCommand parent;

        @Parameters(paramLabel = "AGENT_ID", description = "the agent")
        String agentId;

        @Override
        public Integer call() {
            master.api(parent.cluster).post("/api/v1/agents/" + agentId + "/undrain");
            System.out.println("agent " + agentId + ": back in service");
            return 0;
        }
    }

    private static final Duration POLL = Duration.ofMillis(500);

    static String stateOf(MasterApi api, String agentId) {
        JsonNode page = api.get("/api/v1/agents?limit=1000");
        for (JsonNode a : page.get("agents")) {
            if (a.get("id").asText().equals(agentId)) {
                return a.get("state").asText();
            }
        }
        throw new IllegalStateException("the master no longer knows agent " + agentId);
    }

    private AgentDrainCommand() {}
}
