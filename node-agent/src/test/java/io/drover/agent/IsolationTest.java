package io.drover.agent;

import static org.awaitility.Awaitility.await;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory limits on real processes: under memory monitoring, and under cgroups v1 where this machine lets the test write them. */
class IsolationTest {
    private static final String AGENT = "agent-iso";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Allocates 300 MiB and touches it (bytearray zero-fills), then waits. */
    private static final String[] HOG = {"python3", "-c", "a = bytearray(300 * 1024 * 1024); import time; time.sleep(30)"};

    @TempDir
    Path sandboxes;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private Isolator isolator;
    private Tasks tasks;

    private void start(Isolator isolator) {
        this.isolator = isolator;
        tasks = new Tasks(AGENT, new StatusFactory(AGENT, clock),
                new ProcessLauncher(sandboxes, AGENT, AgentConfig.DEFAULT_LOG_MAX_BYTES, AgentConfig.DEFAULT_LOG_MAX_FILES),
                clock, 4, exits::add, isolator);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (tasks != null) {
            tasks.killAll(0);
            Tasks.Exit exit;
            while ((exit = exits.poll()) != null) {
                tasks.exited(exit);
            }
        }
        if (isolator != null) {
            isolator.close();
        }
        sampler.shutdownNow();
        assertTrue(sampler.awaitTermination(5, TimeUnit.SECONDS));
    }

    private static TaskInfo task(String taskId, long memMb, String... args) {
        return TaskInfo.newBuilder()
                .setTaskId(taskId)
                .setName(taskId)
                .setAgentId(AGENT)
                .setResources(ResourceMath.of(0.5, memMb, 0, 0))
                .setCommand(CommandInfo.newBuilder().setArguments(List.of(args)).setEnvironment(Map.of()).build())
                .build();
    }

    private TaskStatus awaitTerminal() throws InterruptedException {
        Tasks.Exit exit = exits.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(exit, "process did not exit in time");
        return tasks.exited(exit);
    }

    private static void assertMemoryLimit(TaskStatus status) {
        assertEquals(TaskState.FAILED, status.getState(), status.getMessage());
        assertEquals(TaskStatusReason.MEMORY_LIMIT, status.getReason(), status.getMessage());
        assertTrue(status.getMessage().contains("memory limit of 64 MiB"), status.getMessage());
        assertEquals(137, status.getExitCode());
    }

    @Test
    void monitoringKillsATaskOverItsMemory() throws Exception {
        start(new MemoryMonitor(MemoryMonitor.oshiResidentBytes()).start(sampler, 50));
        assertEquals(TaskState.RUNNING, tasks.launch("fw", task("hog", 64, HOG)).getState());
        assertMemoryLimit(awaitTerminal());
    }

    @Test
    void monitoringCountsTheChildrenOfTheTask() throws Exception {
        start(new MemoryMonitor(MemoryMonitor.oshiResidentBytes()).start(sampler, 50));
        // The shell stays as the parent (two commands), so the memory is a descendant's.
        String hog = String.join(" ", "python3 -c '" + HOG[2] + "'; true");
        assertEquals(TaskState.RUNNING, tasks.launch("fw", task("hog", 64, "sh", "-c", hog)).getState());
        assertMemoryLimit(awaitTerminal());
    }

    @Test
    void monitoringLeavesATaskWithinItsMemoryAlone() throws Exception {
        start(new MemoryMonitor(MemoryMonitor.oshiResidentBytes()).start(sampler, 50));
        String small = "a = bytearray(8 * 1024 * 1024); import time; time.sleep(0.5); print('done')";
        assertEquals(TaskState.RUNNING, tasks.launch("fw", task("small", 64, "python3", "-c", small)).getState());
        TaskStatus status = awaitTerminal();
        assertEquals(TaskState.FINISHED, status.getState(), status.getMessage());
        assertEquals("done\n", status.getStdoutTail());
    }

    @Test
    void aTaskWhoseLimitsCannotBeAppliedIsKilledAndFails() throws Exception {
        start(new Isolator() {
            @Override
            public Guard attach(String frameworkId, String taskId, ProcessHandle process, io.drover.api.protocol.Resources resources)
                    throws IOException {
                throw new IOException("no cgroup for you");
            }

            @Override
            public String describe() {
                return "refusing";
            }

            @Override
            public void close() {}
        });
        assertEquals(TaskState.RUNNING, tasks.launch("fw", task("sleeper", 64, "sleep", "30")).getState());
        TaskStatus status = awaitTerminal();
        assertEquals(TaskState.FAILED, status.getState());
        assertEquals(TaskStatusReason.LAUNCH_FAILED, status.getReason());
        assertEquals("cannot apply the task's limits: no cgroup for you", status.getMessage());
    }

    @Test
    void cgroupsLetATaskThatEndsBeforeItIsMovedInFinish() throws Exception {
        start(new CgroupIsolator(writableCgroups()));
        for (int i = 0; i < 5; i++) {
            assertEquals(TaskState.RUNNING, tasks.launch("fw", task("quick" + i, 64, "true")).getState());
            TaskStatus status = awaitTerminal();
            assertEquals(TaskState.FINISHED, status.getState(), status.getMessage());
        }
        assertEquals(List.of(), groups(Isolators.CGROUP_ROOT.resolve("memory/drover").resolve(AGENT)));
    }

    @Test
    void cgroupsKillATaskOverItsMemoryAndRemoveItsGroup() throws Exception {
        CgroupsV1 cgroups = writableCgroups();
        start(new CgroupIsolator(cgroups));
        assertEquals(TaskState.RUNNING, tasks.launch("fw", task("hog", 64, HOG)).getState());
        Path taskGroups = Isolators.CGROUP_ROOT.resolve("memory/drover").resolve(AGENT);
        assertEquals(1, groups(taskGroups).size(), "the task has a memory cgroup while it runs");
        assertMemoryLimit(awaitTerminal());
        assertEquals(List.of(), groups(taskGroups), "the task's cgroup is removed after it ended");
    }

    @Test
    void cgroupsHoldATaskToItsLimitsAndLetItFinish() throws Exception {
        CgroupsV1 cgroups = writableCgroups();
        start(new CgroupIsolator(cgroups));
        // The task waits to be moved into its groups (it runs outside them for a moment after
        // its start), then reads its own limits from inside them.
        // The cpu group is joined last.
        String script = "until grep -Eq ':cpu(,[a-z]+)*:/drover/' /proc/self/cgroup; do :; done;"
                + " cat /sys/fs/cgroup/memory$(grep :memory: /proc/self/cgroup | cut -d: -f3)/memory.limit_in_bytes;"
                + " cat /sys/fs/cgroup/cpu$(grep -E ':cpu(,[a-z]+)*:' /proc/self/cgroup | cut -d: -f3)/cpu.cfs_quota_us";
        assertEquals(TaskState.RUNNING, tasks.launch("fw", task("small", 64, "sh", "-c", script)).getState());
        TaskStatus status = awaitTerminal();
        assertEquals(TaskState.FINISHED, status.getState(), status.getMessage() + status.getStderrTail());
        assertEquals(64L * 1024 * 1024 + "\n50000\n", status.getStdoutTail());
        assertEquals(List.of(), groups(Isolators.CGROUP_ROOT.resolve("cpu/drover").resolve(AGENT)));
    }

    /** Skips the test, naming why, where this machine does not let the agent write cgroups v1. */
    private static CgroupsV1 writableCgroups() {
        try {
            return CgroupsV1.open(Isolators.CGROUP_ROOT, AGENT);
        } catch (IOException e) {
            Assumptions.abort("cgroups v1 are not writable here: " + e.getMessage());
            throw new AssertionError(e);
        }
    }

    private static List<Path> groups(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(Files::isDirectory).toList();
        }
    }
}
