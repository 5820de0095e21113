package io.drover.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.executor.ExecutorHello;
import io.drover.api.protocol.executor.KillTask;
import io.drover.api.protocol.executor.LaunchTask;
import io.drover.api.protocol.executor.Shutdown;
import io.drover.api.protocol.executor.TaskUpdate;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime on its own thread, the test playing the agent's end of the channel. */
class ExecutorRuntimeTest {
    private static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path dir;

    /** Finishes tasks whose data is "ok" at once; keeps the others until killed. */
    private static final class Echo implements Executor {
        @Override
        public void launch(ExecutorDriver driver, TaskLaunch task) {
            driver.running(task.taskId());
            if (new String(task.data()).equals("ok")) {
                driver.finished(task.taskId(), "did " + task.name());
            }
        }

        @Override
        public void kill(ExecutorDriver driver, String taskId) {
            driver.killed(taskId, "killed");
        }
    }

    private ExecutorEnvironment env(long timeoutMs) {
        return new ExecutorEnvironment("e1", dir, ProcessHandle.current().pid(), 50, timeoutMs, false);
    }

    private static LaunchTask launch(String taskId, String data) {
        return LaunchTask.newBuilder().setTaskId(taskId).setName(taskId)
                .setResources(Resources.newBuilder().setCpus(0.1).setMemMb(1).build())
                .setData(ByteBuffer.wrap(data.getBytes())).build();
    }

    private static List<TaskUpdate> collect(ChannelEnd agent, List<Object> seen) {
        for (ChannelEnd.Received r = agent.poll(); r != null; r = agent.poll()) {
            seen.add(r.message().getBody());
        }
        return seen.stream().filter(TaskUpdate.class::isInstance).map(TaskUpdate.class::cast).toList();
    }

    @Test
    void runsTasksInOrderKillsAndShutsDownOnRequest() throws Exception {
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK)) {
            ExecutorRuntime runtime = new ExecutorRuntime(env(30_000), CLOCK);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return runtime.run(new Echo());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            agent.appendRaw(new byte[] {9, 9, 9});
            for (int i = 0; i < 100; i++) {
                agent.send(launch("t" + i, "ok"));
            }
            agent.send(launch("long", "wait"));
            List<Object> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> collect(agent, seen).size() >= 201);
            assertTrue(seen.get(0) instanceof ExecutorHello);
            List<TaskUpdate> updates = collect(agent, seen);
            for (int i = 0; i < 100; i++) {
                assertEquals("t" + i, updates.get(2 * i).getTaskId());
                assertEquals(TaskState.RUNNING, updates.get(2 * i).getState());
                assertEquals(TaskState.FINISHED, updates.get(2 * i + 1).getState());
                assertEquals("did t" + i, updates.get(2 * i + 1).getMessage());
            }
            agent.send(KillTask.newBuilder().setTaskId("long").setGracePeriodMs(1_000).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> collect(agent, seen).stream()
                    .anyMatch(u -> u.getTaskId().equals("long") && u.getState() == TaskState.KILLED));
            agent.send(launch("last", "wait"));
            agent.send(Shutdown.newBuilder().setReason("test").setGracePeriodMs(1_000).build());
            assertEquals(ExecutorRuntime.EXIT_SHUTDOWN, exit.get(30, TimeUnit.SECONDS));
            // The task it still had is reported KILLED by the runtime on shutdown.
            assertTrue(collect(agent, seen).stream().anyMatch(u -> u.getTaskId().equals("last") && u.getState() == TaskState.KILLED));
        }
    }

    @Test
    void exitsWhenTheAgentIsSilentForTheTimeout() throws Exception {
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK)) {
            ExecutorRuntime runtime = new ExecutorRuntime(env(300), CLOCK);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return runtime.run(new Echo());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(ExecutorRuntime.EXIT_AGENT_GONE, exit.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void exitsWhenTheAgentProcessIsGoneEvenWhileItsQueueLooksAlive() throws Exception {
        // A real process stands in for the agent; it ends at once.
        Process agentProcess = new ProcessBuilder("true").start();
        assertEquals(0, agentProcess.waitFor());
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK)) {
            ExecutorEnvironment env = new ExecutorEnvironment("e1", dir, agentProcess.pid(), 50, ExecutorEnvironment.MAX_HEARTBEAT_MS, false);
            ExecutorRuntime runtime = new ExecutorRuntime(env, CLOCK);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return runtime.run(new Echo());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(ExecutorRuntime.EXIT_AGENT_GONE, exit.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aBadEnvironmentIsOneClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutorEnvironment.fromVariables(Map.of()));
        assertEquals("environment variable DROVER_EXECUTOR_ID is not set: executors are started by a Drover agent", e.getMessage());
        ExecutorEnvironment ok = env(1_000);
        assertEquals(ok, ExecutorEnvironment.fromVariables(ok.toVariables()));
        Map<String, String> bad = new java.util.HashMap<>(ok.toVariables());
        bad.put(ExecutorEnvironment.AGENT_PID, "x");
        assertEquals("environment variable DROVER_AGENT_PID must be a whole number, was 'x'",
                assertThrows(IllegalArgumentException.class, () -> ExecutorEnvironment.fromVariables(bad)).getMessage());
    }
}
