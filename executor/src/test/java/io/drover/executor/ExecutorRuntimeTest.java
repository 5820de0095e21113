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

    private CompletableFuture<Integer> runAsync(ExecutorRuntime runtime) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.run(new Echo());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void keepsItsTasksWhileTheAgentIsGoneAndResendsTheirStatesToTheNextAgentRun() throws Exception {
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK)) {
            // Silent for 300 ms = gone; then up to 60 s for a new run.
            ExecutorEnvironment env = new ExecutorEnvironment("e1", dir, ProcessHandle.current().pid(), 50, 300, false, 60_000);
            CompletableFuture<Integer> exit = runAsync(new ExecutorRuntime(env, CLOCK));
            agent.send(launch("done", "ok"));
            agent.send(launch("long", "wait"));
            List<Object> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> collect(agent, seen).size() >= 3);
            // The agent says nothing more: the executor outlives the heartbeat timeout several times over.
            await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(10)).until(() -> !exit.isDone());
            agent.send(io.drover.api.protocol.executor.AgentHello.newBuilder().setAgentPid(ProcessHandle.current().pid())
                    .setStartedAtMs(CLOCK.millis()).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> collect(agent, seen).stream().filter(TaskUpdate::getResent).count() >= 2);
            List<TaskUpdate> resent = collect(agent, seen).stream().filter(TaskUpdate::getResent).toList();
            assertEquals(2, resent.size(), resent.toString());
            assertEquals("done", resent.get(0).getTaskId());
            assertEquals(TaskState.FINISHED, resent.get(0).getState());
            assertEquals("did done", resent.get(0).getMessage());
            assertEquals("long", resent.get(1).getTaskId());
            assertEquals(TaskState.RUNNING, resent.get(1).getState());
            // It carries on with the new run: the long task is still its to kill.
            agent.send(KillTask.newBuilder().setTaskId("long").setGracePeriodMs(1_000).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> collect(agent, seen).stream()
                    .anyMatch(u -> u.getTaskId().equals("long") && u.getState() == TaskState.KILLED && !u.getResent()));
            agent.send(Shutdown.newBuilder().setReason("test").setGracePeriodMs(1_000).build());
            assertEquals(ExecutorRuntime.EXIT_SHUTDOWN, exit.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void exitsAndKillsItsTasksWhenNoAgentRunComesWithinTheReconnectTimeout() throws Exception {
        Process agentProcess = new ProcessBuilder("sleep", "600").start();
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK)) {
            ExecutorEnvironment env = new ExecutorEnvironment("e1", dir, agentProcess.pid(), 50, ExecutorEnvironment.MAX_HEARTBEAT_MS, false,
                    500);
            CompletableFuture<Integer> exit = runAsync(new ExecutorRuntime(env, CLOCK));
            agent.send(launch("long", "wait"));
            List<Object> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> collect(agent, seen).size() >= 1);
            agentProcess.destroyForcibly().waitFor();
            assertEquals(ExecutorRuntime.EXIT_AGENT_GONE, exit.get(30, TimeUnit.SECONDS));
            assertTrue(collect(agent, seen).stream().anyMatch(u -> u.getTaskId().equals("long") && u.getState() == TaskState.KILLED));
        } finally {
            agentProcess.destroyForcibly();
        }
    }

    @Test
    void theReconnectTimeoutIsOptionalAndBounded() {
        Map<String, String> vars = new java.util.HashMap<>(new ExecutorEnvironment("e1", dir, 1, 50, 300, false).toVariables());
        assertEquals(0, ExecutorEnvironment.fromVariables(vars).reconnectTimeoutMs());
        vars.remove(ExecutorEnvironment.RECONNECT_TIMEOUT_MS);
        assertEquals(0, ExecutorEnvironment.fromVariables(vars).reconnectTimeoutMs(), "absent: exit at once, as before");
        vars.put(ExecutorEnvironment.RECONNECT_TIMEOUT_MS, "-1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutorEnvironment.fromVariables(vars));
        assertTrue(e.getMessage().contains(ExecutorEnvironment.RECONNECT_TIMEOUT_MS), e.getMessage());
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
