package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's life cycle, without a broker. */
class AgentTest {
    @TempDir
    Path workDir;

    private AgentConfig config(String bootstrap) {
        return AgentConfig.builder(bootstrap, workDir).hostname("test-host").cpus(1).memMb(256).httpListen("localhost:0").build();
    }

    /** A localhost address nothing listens on. */
    private static String deadBootstrap() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "localhost:" + s.getLocalPort();
        }
    }

    @Test
    void secondAgentOnTheSameWorkDirFailsClearly() throws Exception {
        try (Agent first = new Agent(config(deadBootstrap()))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Agent(config("localhost:1")));
            assertTrue(e.getMessage().contains("work dir " + workDir), e.getMessage());
            assertEquals(Files.readString(workDir.resolve(WorkDir.ID_FILE)).trim(), first.agentId());
        }
        try (Agent again = new Agent(config("localhost:1"))) {
            assertEquals(Files.readString(workDir.resolve(WorkDir.ID_FILE)).trim(), again.agentId());
            assertEquals(1, again.totalResources().getCpus());
            assertEquals(256, again.totalResources().getMemMb());
        }
    }

    @Test
    void closeWithoutStartReleasesTheWorkDirAndIsIdempotent() throws Exception {
        Agent agent = new Agent(config(deadBootstrap()));
        assertFalse(agent.isRegistered());
        assertFalse(agent.awaitTermination(Duration.ZERO), "never started");
        agent.close();
        agent.close();
        assertThrows(IllegalStateException.class, agent::start);
        new Agent(config("localhost:1")).close();
    }

    @Test
    void closeReturnsPromptlyWhileKafkaIsUnreachable() throws Exception {
        Agent agent = new Agent(config(deadBootstrap()));
        agent.start();
        agent.start();
        assertFalse(agent.isRegistered());
        assertTimeoutPreemptively(Duration.ofSeconds(20), agent::close);
        assertTrue(agent.awaitTermination(Duration.ZERO));
        agent.close();
    }
}
