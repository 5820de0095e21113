package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cgroup v2 against control files in a temp dir laid out like a unified hierarchy: the machines
 * these tests run on mount only cgroup v1 writable, so the kernel's side (limits enforced, OOM
 * kills counted) is not exercised here.
 */
class CgroupsV2Test {
    @TempDir
    Path root;

    private void fakeUnified(String controllers) throws IOException {
        Files.writeString(root.resolve(CgroupsV2.CONTROLLERS), controllers + "\n");
        Files.writeString(root.resolve(CgroupsV2.SUBTREE_CONTROL), "\n");
    }

    @Test
    void aUnifiedRootIsChosenOverV1AndItsControllersAreEnabledDownToTheAgentsGroup() throws IOException {
        fakeUnified("cpuset cpu io memory hugetlb pids");
        try (Isolator isolator = Isolators.create(AgentConfig.Isolation.AUTO, root, "a1", () -> {
            throw new AssertionError("no monitor wanted");
        })) {
            assertInstanceOf(CgroupIsolator.class, isolator);
            assertEquals("cgroups v2 (memory and cpu limits)", isolator.describe());
            assertEquals("+memory +cpu", Files.readString(root.resolve(CgroupsV2.SUBTREE_CONTROL)));
            assertEquals("+memory +cpu", Files.readString(root.resolve("drover").resolve(CgroupsV2.SUBTREE_CONTROL)));
            assertEquals("+memory +cpu", Files.readString(root.resolve("drover/a1").resolve(CgroupsV2.SUBTREE_CONTROL)));
        }
        assertFalse(Files.exists(root.resolve("drover")), "closing removes the agent's groups");
    }

    @Test
    void aUnifiedRootWithoutTheMemoryControllerIsRefusedWithWhy() throws IOException {
        fakeUnified("cpu io pids");
        IOException e = assertThrows(IOException.class, () -> CgroupsV2.open(root, "a1"));
        assertTrue(e.getMessage().contains("lacks the memory or cpu controller"), e.getMessage());
        try (Isolator monitor = new MemoryMonitor(h -> 0)) {
            assertEquals(monitor, Isolators.create(AgentConfig.Isolation.AUTO, root, "a1", () -> (MemoryMonitor) monitor));
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> Isolators.create(AgentConfig.Isolation.CGROUPS, root, "a1", () -> (MemoryMonitor) monitor));
            assertTrue(refused.getMessage().contains("lacks the memory or cpu controller"), refused.getMessage());
        }
    }

    @Test
    void aTaskGroupGetsMemoryMaxCpuMaxAndItsProcessCountsOomKillsAndIsRemoved() throws IOException {
        fakeUnified("cpu memory");
        CgroupsV2 cgroups = CgroupsV2.open(root, "a1");
        Path dir = root.resolve("drover/a1/fw~t1~42");
        // The kernel makes memory.swap.max in a new group where swap is accounted; a temp dir does not.
        CgroupsV2.Group g = cgroups.create("fw~t1~42", 64L * 1024 * 1024, 1.5);
        assertEquals(dir, g.dir());
        cgroups.move(g, 42);
        assertEquals("67108864", Files.readString(dir.resolve("memory.max")));
        assertEquals("150000 100000", Files.readString(dir.resolve("cpu.max")));
        assertEquals("42", Files.readString(dir.resolve("cgroup.procs")));

        assertEquals(OptionalLong.empty(), cgroups.oomKills(g));
        assertEquals(0, cgroups.memoryFailCount(g));
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
        assertEquals(OptionalLong.of(1), cgroups.oomKills(g));
        assertEquals(5, cgroups.memoryFailCount(g));

        assertEquals(List.of(), cgroups.remove(g));
        assertFalse(Files.exists(dir));
        assertEquals(List.of(), cgroups.close());
    }

    @Test
    void anExecutorsGroupGrowsAndAMemoryKillIsNamedFromMemoryEvents() throws IOException {
        fakeUnified("cpu memory");
        CgroupsV2 cgroups = CgroupsV2.open(root, "a1");
        CgroupIsolator isolator = new CgroupIsolator(cgroups);
        Isolator.Guard guard = isolator.attach("fw", "executor~e1", ProcessHandle.current(), ResourceMath.of(1, 64, 0, 0));
        Path dir = root.resolve("drover/a1/fw~executor~e1~" + ProcessHandle.current().pid());
        guard.grow(ResourceMath.of(2, 128, 0, 0));
        assertEquals("134217728", Files.readString(dir.resolve("memory.max")));
        assertEquals("200000 100000", Files.readString(dir.resolve("cpu.max")));
        guard.grow(ResourceMath.of(0.5, 32, 0, 0));
        assertEquals("134217728", Files.readString(dir.resolve("memory.max")), "never lowered");

        Files.writeString(dir.resolve("memory.events"), "max 3\noom 1\noom_kill 1\n");
        assertTrue(guard.memoryKill(137).isPresent());
        assertTrue(guard.memoryKill(137).get().contains("cgroup OOM kills: 1"), guard.memoryKill(137).get());
        // A re-attached executor keeps its group.
        Isolator.Guard again = isolator.reattach("fw", "executor~e1", ProcessHandle.current(), ResourceMath.of(2, 128, 0, 0));
        assertTrue(again.memoryKill(137).isPresent());
        guard.release();
        assertFalse(Files.exists(dir));
        isolator.close();
    }

    @Test
    void noLimitIsWrittenForZeroMemoryOrCpus() throws IOException {
        fakeUnified("cpu memory");
        CgroupsV2.Group g = CgroupsV2.open(root, "a1").create("fw~t1~7", 0, 0);
        assertFalse(Files.exists(g.dir().resolve("memory.max")));
        assertFalse(Files.exists(g.dir().resolve("cpu.max")));
    }

    @Test
    void aRootWithoutCgroupControllersIsNotTakenForV2() throws IOException {
        assertFalse(CgroupsV2.isUnified(root));
        IOException e = assertThrows(IOException.class, () -> Isolators.openCgroups(root, "a1"));
        assertTrue(e.getMessage().contains("cgroup v1"), e.getMessage());
    }
}
