package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.UriInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks whose URIs are fetched into their sandboxes before their commands start. The fetches run
 * on the calling thread here (a direct executor), and the test hands their ends back to
 * {@link Tasks#fetched}, as the agent's loop does.
 */
class TasksFetchTest {
    private static final String AGENT = "agent-1";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
    private final BlockingQueue<Tasks.Fetched> fetches = new LinkedBlockingQueue<>();
    private Path sandboxes;
    private Tasks tasks;

    @BeforeEach
    void setUp() {
        sandboxes = dir.resolve("sandboxes");
        tasks = new Tasks(AGENT, new StatusFactory(AGENT, clock),
                new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES),
                clock, 4, exits::add, Isolator.NONE, Fetcher.withDefaults(dir.resolve("cache"), 1 << 20, 1 << 20, clock),
                Runnable::run, fetches::add);
    }

    @AfterEach
    void tearDown() {
        tasks.killAll(0);
    }

    private static TaskInfo task(String taskId, List<UriInfo> uris, String... args) {
        return TaskInfo.newBuilder()
                .setTaskId(taskId)
                .setName(taskId)
                .setAgentId(AGENT)
                .setResources(ResourceMath.of(0.1, 16, 0, 0))
                .setCommand(CommandInfo.newBuilder().setArguments(List.of(args)).setUris(uris).build())
                .build();
    }

    /** Launches the task, checks that it is STARTING, and returns what the end of its fetch brings. */
    private TaskStatus launchAndFetch(TaskInfo task) {
        TaskStatus starting = tasks.launch("fw", task);
        assertEquals(TaskState.STARTING, starting.getState(), starting.getMessage());
        assertEquals(1, tasks.fetching());
        Tasks.Fetched fetched = fetches.poll();
        assertNotNull(fetched, "the fetch did not end");
        return tasks.fetched(fetched).orElseThrow();
    }

    private TaskStatus awaitTerminal() throws InterruptedException {
        Tasks.Exit exit = exits.poll(10, TimeUnit.SECONDS);
        assertNotNull(exit, "process did not exit in time");
        return tasks.exited(exit);
    }

    @Test
    void theCommandReadsAndRunsItsFetchedFiles() throws Exception {
        Path data = Files.writeString(dir.resolve("data.txt"), "payload\n");
        Path script = Files.writeString(dir.resolve("tool.sh"), "#!/bin/sh\necho tool ran\n");
        List<UriInfo> uris = List.of(
                UriInfo.newBuilder().setValue(data.toUri().toString()).build(),
                UriInfo.newBuilder().setValue(script.toUri().toString()).setExecutable(true).build());

        TaskStatus running = launchAndFetch(task("t1", uris, "sh", "-c", "cat data.txt"));
        assertEquals(TaskState.RUNNING, running.getState());

        TaskStatus end = awaitTerminal();
        assertEquals(TaskState.FINISHED, end.getState());
        assertEquals("payload\n", end.getStdoutTail());
        // A fetched program runs as the command itself, by its path relative to the sandbox.
        TaskStatus tool = launchAndFetch(task("t2", List.of(uris.get(1)), "./tool.sh"));
        assertEquals(TaskState.RUNNING, tool.getState(), tool.getMessage());
        assertEquals("tool ran\n", awaitTerminal().getStdoutTail());
    }

    @Test
    void aWrongSha256FailsTheLaunchAndTheCommandNeverRuns() throws Exception {
        Path data = Files.writeString(dir.resolve("data.txt"), "payload\n");
        String wrong = "ab".repeat(32);
        List<UriInfo> uris = List.of(UriInfo.newBuilder().setValue(data.toUri().toString()).setSha256(wrong).build());

        TaskStatus status = launchAndFetch(task("t1", uris, "touch", "marker"));

        assertEquals(TaskState.FAILED, status.getState());
        assertEquals(TaskStatusReason.LAUNCH_FAILED, status.getReason());
        assertTrue(status.getMessage().startsWith("sha256 of " + data.toUri() + " is "), status.getMessage());
        assertTrue(status.getMessage().endsWith(", expected " + wrong), status.getMessage());
        assertEquals(0, tasks.running());
        assertFalse(Files.exists(sandboxes.resolve("fw").resolve("t1").resolve("marker")));
        assertTrue(exits.isEmpty());
    }

    @Test
    void aTaskKilledWhileFetchingEndsKilledWithoutAProcess() throws Exception {
        Path data = Files.writeString(dir.resolve("data.txt"), "payload\n");
        List<UriInfo> uris = List.of(UriInfo.newBuilder().setValue(data.toUri().toString()).build());
        assertEquals(TaskState.STARTING, tasks.launch("fw", task("t1", uris, "touch", "marker")).getState());
        assertTrue(tasks.isFetching("fw", "t1"));

        assertEquals(Tasks.KillOutcome.KILLING, tasks.kill("fw", "t1", 0));
        TaskStatus end = tasks.fetched(fetches.poll()).orElseThrow();

        assertEquals(TaskState.KILLED, end.getState());
        assertEquals(TaskStatusReason.KILLED_BY_FRAMEWORK, end.getReason());
        assertEquals(0, tasks.running());
        assertFalse(Files.exists(sandboxes.resolve("fw").resolve("t1").resolve("marker")));
    }

    @Test
    void fetchingTasksAreGivenUpAtShutdownAndTheirLateFetchesIgnored() throws Exception {
        Path data = Files.writeString(dir.resolve("data.txt"), "payload\n");
        List<UriInfo> uris = List.of(UriInfo.newBuilder().setValue(data.toUri().toString()).build());
        tasks.launch("fw", task("t1", uris, "touch", "marker"));

        List<TaskStatus> ended = tasks.abandonFetches();

        assertEquals(1, ended.size());
        assertEquals(TaskState.KILLED, ended.get(0).getState());
        assertEquals(TaskStatusReason.AGENT_SHUTDOWN, ended.get(0).getReason());
        assertTrue(tasks.fetched(fetches.poll()).isEmpty());
        assertEquals(0, tasks.fetching());
    }

    @Test
    void withoutAFetcherATaskWithUrisFailsToLaunch() throws Exception {
        Tasks plain = new Tasks(AGENT, new StatusFactory(AGENT, clock),
                new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES),
                clock, 4, exits::add);
        List<UriInfo> uris = List.of(UriInfo.newBuilder().setValue("file:///etc/hostname").build());

        TaskStatus status = plain.launch("fw", task("t2", uris, "true"));

        assertEquals(TaskStatusReason.LAUNCH_FAILED, status.getReason());
        assertEquals("this agent fetches no URIs", status.getMessage());
    }
}
