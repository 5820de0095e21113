package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection, limits and quota arithmetic against a fake cgroup root in a temp dir. */
class CgroupsV1Test {
    @TempDir
    Path root;

    private void fakeHierarchies() throws IOException {
        Files.createDirectories(root.resolve("memory"));
        Files.createDirectories(root.resolve("cpu"));
        Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(root.resolve("cpu/cpu.cfs_quota_us"), "-1\n");
    }

    @Test
    void quotaIsCpusTimesThePeriodAndAtLeastOneMillisecond() {
        assertEquals(100_000, CgroupsV1.cfsQuotaUs(1));
        assertEquals(250_000, CgroupsV1.cfsQuotaUs(2.5));
        assertEquals(10_000, CgroupsV1.cfsQuotaUs(0.1));
        assertEquals(1_000, CgroupsV1.cfsQuotaUs(0.001));
        assertEquals(1_000, CgroupsV1.cfsQuotaUs(0.000_01));
        assertEquals(Long.MAX_VALUE, CgroupsV1.cfsQuotaUs(Double.MAX_VALUE));
    }

    @Test
    void missingHierarchiesAreNamedAndIsolationFallsBackToMonitoring() throws IOException {
        IOException e = assertThrows(IOException.class, () -> CgroupsV1.open(root, "a1"));
        assertTrue(e.getMessage().contains("memory"), e.getMessage());
        Files.createDirectories(root.resolve("memory"));
        Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "1");
        e = assertThrows(IOException.class, () -> CgroupsV1.open(root, "a1"));
        assertTrue(e.getMessage().contains("cpu"), e.getMessage());

        try (Isolator monitor = new MemoryMonitor(h -> 0)) {
            assertEquals(monitor, Isolators.create(AgentConfig.Isolation.AUTO, root, "a1", () -> (MemoryMonitor) monitor));
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> Isolators.create(AgentConfig.Isolation.CGROUPS, root, "a1", () -> (MemoryMonitor) monitor));
            assertTrue(refused.getMessage().contains("no cgroup v1 cpu hierarchy"), refused.getMessage());
        }
    }

    @Test
    void autoPicksCgroupsWhereTheyCanBeCreated() throws IOException {
        fakeHierarchies();
        try (Isolator isolator = Isolators.create(AgentConfig.Isolation.AUTO, root, "a1", () -> {
            throw new AssertionError("no monitor wanted");
        })) {
            assertInstanceOf(CgroupIsolator.class, isolator);
            assertTrue(Files.isDirectory(root.resolve("memory/drover/a1")));
            assertTrue(Files.isDirectory(root.resolve("cpu/drover/a1")));
        }
        assertFalse(Files.exists(root.resolve("memory/drover")), "closing removes the agent's groups");
        assertFalse(Files.exists(root.resolve("cpu/drover")));
    }

    @Test
    void aTaskGroupGetsItsLimitsAndItsProcessAndIsRemoved() throws IOException {
        fakeHierarchies();
        CgroupsV1 cgroups = CgroupsV1.open(root, "a1");
        CgroupsV1.Group g = cgroups.create("fw~t1~42", 64L * 1024 * 1024, 1.5);
        cgroups.move(g, 42);
        assertEquals("67108864", Files.readString(g.memory().resolve("memory.limit_in_bytes")));
        assertEquals("100000", Files.readString(g.cpu().resolve("cpu.cfs_period_us")));
        assertEquals("150000", Files.readString(g.cpu().resolve("cpu.cfs_quota_us")));
        assertEquals("42", Files.readString(g.memory().resolve("cgroup.procs")));
        assertEquals("42", Files.readString(g.cpu().resolve("cgroup.procs")));

        assertEquals(OptionalLong.empty(), cgroups.oomKills(g));
        Files.writeString(g.memory().resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertEquals(OptionalLong.of(2), cgroups.oomKills(g));

        assertEquals(List.of(), cgroups.remove(g));
        assertFalse(Files.exists(g.memory()));
        assertFalse(Files.exists(g.cpu()));
    }

    @Test
    void anExecutorsGroupGrowsThroughItsGuard() throws IOException {
        fakeHierarchies();
        CgroupsV1 cgroups = CgroupsV1.open(root, "a1");
        Isolator.Guard guard = new CgroupIsolator(cgroups).attach("fw", "executor~e1", ProcessHandle.current(),
                io.drover.api.ResourceMath.of(1, 64, 0, 0));
        Path group = root.resolve("memory/drover/a1/fw~executor~e1~" + ProcessHandle.current().pid());
        Path cpuGroup = root.resolve("cpu/drover/a1/fw~executor~e1~" + ProcessHandle.current().pid());
        guard.grow(io.drover.api.ResourceMath.of(2, 128, 0, 0));
        assertEquals("134217728", Files.readString(group.resolve("memory.limit_in_bytes")));
        assertEquals("200000", Files.readString(cpuGroup.resolve("cpu.cfs_quota_us")));
        // Never lowered.
        guard.grow(io.drover.api.ResourceMath.of(0.5, 32, 0, 0));
        assertEquals("134217728", Files.readString(group.resolve("memory.limit_in_bytes")));
        assertEquals("200000", Files.readString(cpuGroup.resolve("cpu.cfs_quota_us")));
        guard.release();
        assertFalse(Files.exists(group));
    }

    @Test
    void noLimitIsWrittenForZeroMemoryOrCpus() throws IOException {
        fakeHierarchies();
        CgroupsV1.Group g = CgroupsV1.open(root, "a1").create("fw~t1~7", 0, 0);
        assertFalse(Files.exists(g.memory().resolve("memory.limit_in_bytes")));
        assertFalse(Files.exists(g.cpu().resolve("cpu.cfs_quota_us")));
    }

    @Test
    void aReattachedTaskKeepsTheGroupsItsEarlierRunMadeOrGetsNewOnes() throws IOException {
        fakeHierarchies();
        CgroupsV1 cgroups = CgroupsV1.open(root, "a1");
        ProcessHandle task = ProcessHandle.current();
        // What the earlier run made for the task, and the kernel's count of its OOM kills since.
        CgroupsV1.Group earlier = cgroups.create("fw~t1~" + task.pid(), 64L * 1024 * 1024, 1);
        Files.writeString(earlier.memory().resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        CgroupIsolator isolator = new CgroupIsolator(cgroups);
        Isolator.Guard kept = isolator.reattach("fw", "t1", task, io.drover.api.ResourceMath.of(1, 64, 0, 0));
        assertFalse(Files.exists(earlier.memory().resolve("cgroup.procs")), "its processes are in the group already");
        assertTrue(kept.memoryKill(137).orElseThrow().contains("64 MiB"));
        kept.release();
        assertFalse(Files.exists(earlier.memory()));

        Isolator.Guard fresh = isolator.reattach("fw", "t2", task, io.drover.api.ResourceMath.of(1, 32, 0, 0));
        Path group = root.resolve("memory/drover/a1/fw~t2~" + task.pid());
        assertEquals(String.valueOf(task.pid()), Files.readString(group.resolve("cgroup.procs")));
        assertEquals("33554432", Files.readString(group.resolve("memory.limit_in_bytes")));
        fresh.release();
        assertFalse(Files.exists(group));
    }
}
