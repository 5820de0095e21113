package io.drover.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.executor.AgentHello;
import io.drover.api.protocol.executor.Heartbeat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent killed with SIGKILL in the middle of an append leaves the to-executor queue's write
 * lock held and a half-written excerpt; the next agent run's end still appends (after Chronicle's
 * bounded wait) and the executor reads on past the half-written excerpt to what it sends.
 */
class ChannelEndKillTest {
    @TempDir
    Path dir;
    private Process writer;

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.destroyForcibly();
        }
    }

    @Test
    void theNextAgentEndAppendsAfterAWriterKilledMidAppend() throws Exception {
        Path queues = dir.resolve("queues");
        Files.createDirectories(queues);
        Path out = dir.resolve("writer.out");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx128m");
        cmd.addAll(ChronicleFlags.JVM_ARGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HeldAppendMain.class.getName(), queues.toString()));
        writer = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("holding"));
        writer.destroyForcibly().waitFor();

        try (ChannelEnd executor = ChannelEnd.executorEnd(queues, Clock.systemUTC());
             ChannelEnd agent = ChannelEnd.agentEnd(queues, Clock.systemUTC())) {
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(
                    () -> agent.send(AgentHello.newBuilder().setAgentPid(ProcessHandle.current().pid()).setStartedAtMs(1).build()));
            assertEquals(0L, sent.get(60, TimeUnit.SECONDS), "the new run's first message");
            List<Object> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ChannelEnd.Received r = executor.poll(); r != null; r = executor.poll()) {
                    if (r.ok()) {
                        read.add(r.message().getBody());
                    }
                }
                return read.stream().anyMatch(AgentHello.class::isInstance);
            });
            assertTrue(read.get(0) instanceof Heartbeat, read.toString());
            assertTrue(read.get(read.size() - 1) instanceof AgentHello, read.toString());
        }
    }
}
