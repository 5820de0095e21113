package io.drover.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The cgroup v1 file system, under a root such as {@code /sys/fs/cgroup}: one parent group
 * {@code drover/<agentId>} in each of the memory and cpu hierarchies, and a child group per task
 * beneath it. Only files are touched, so a test can point the root at a temp dir laid out like
 * the real one. {@link CgroupsV2} is the unified hierarchy's counterpart.
 *
 * <p>Not thread-safe; the agent's loop thread uses it.
 */
final class CgroupsV1 implements Cgroups {
    static final String MEMORY = "memory";
    static final String CPU = "cpu";
    static final long CFS_PERIOD_US = 100_000;
    /** The smallest quota the kernel accepts is 1 ms. */
    static final long MIN_CFS_QUOTA_US = 1_000;

    private final Path memoryParent;
    private final Path cpuParent;

    private CgroupsV1(Path memoryParent, Path cpuParent) {
        this.memoryParent = memoryParent;
        this.cpuParent = cpuParent;
    }

    /**
     * Finds the memory and cpu hierarchies under {@code root} and creates this agent's parent
     * groups in them.
     *
     * @throws IOException saying why cgroups v1 cannot be used: a hierarchy is missing, or the
     *     parent group cannot be created (not root, a read-only mount)
     */
    static CgroupsV1 open(Path root, String agentId) throws IOException {
        Path memory = root.resolve(MEMORY);
        Path cpu = root.resolve(CPU);
        if (!Files.isRegularFile(memory.resolve("memory.limit_in_bytes"))) {
            throw new IOException("no cgroup v1 memory hierarchy at " + memory);
        }
        if (!Files.isRegularFile(cpu.resolve("cpu.cfs_quota_us"))) {
            throw new IOException("no cgroup v1 cpu hierarchy with CFS quotas at " + cpu);
        }
        Path memoryParent = memory.resolve("drover").resolve(agentId);
        Path cpuParent = cpu.resolve("drover").resolve(agentId);
        try {
            Files.createDirectories(memoryParent);
            Files.createDirectories(cpuParent);
        } catch (IOException e) {
            throw new IOException("cannot create cgroup " + e.getMessage() + ": " + e.getClass().getSimpleName(), e);
        }
        if (!Files.isWritable(memoryParent) || !Files.isWritable(cpuParent)) {
            throw new IOException("cgroups " + memoryParent + " and " + cpuParent + " are not writable");
        }
        return new CgroupsV1(memoryParent, cpuParent);
    }

    /** The CFS quota for {@code cpus} per {@link #CFS_PERIOD_US}: at least {@link #MIN_CFS_QUOTA_US}. */
    static long cfsQuotaUs(double cpus) {
        double quota = Math.ceil(cpus * CFS_PERIOD_US);
        return quota >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(MIN_CFS_QUOTA_US, (long) quota);
    }

    /** A task's groups; the name must be a single path segment. */
    record Group(Path memory, Path cpu) implements Cgroups.Group {}

    private static Group v1(Cgroups.Group g) {
        return (Group) g;
    }

    @Override
    public String describe() {
        return "cgroups v1 (memory and cpu limits)";
    }

    /**
     * Creates a task's groups and sets their limits: memory (and memory+swap, where the kernel
     * has it) to {@code memBytes} when above 0, and a CFS quota for {@code cpus} when above 0.
     */
    @Override
    public Group create(String name, long memBytes, double cpus) throws IOException {
        Group g = new Group(memoryParent.resolve(name), cpuParent.resolve(name));
        Files.createDirectory(g.memory());
        try {
            Files.createDirectory(g.cpu());
            if (memBytes > 0) {
                write(g.memory().resolve("memory.limit_in_bytes"), memBytes);
                Path memsw = g.memory().resolve("memory.memsw.limit_in_bytes");
                if (Files.exists(memsw)) {
                    // Without it a task could swap instead of being killed; must follow the
                    // memory limit, which it may not be below.
                    write(memsw, memBytes);
                }
            }
            if (cpus > 0) {
                write(g.cpu().resolve("cpu.cfs_period_us"), CFS_PERIOD_US);
                write(g.cpu().resolve("cpu.cfs_quota_us"), cfsQuotaUs(cpus));
            }
        } catch (IOException e) {
            remove(g);
            throw e;
        }
        return g;
    }

    /** A task's groups made earlier (by an earlier run of this agent), when both still exist. */
    @Override
    public Optional<Group> existing(String name) {
        Group g = new Group(memoryParent.resolve(name), cpuParent.resolve(name));
        return Files.isDirectory(g.memory()) && Files.isDirectory(g.cpu()) ? Optional.of(g) : Optional.empty();
    }

    /**
     * Raises a group's limits: memory (memory+swap first, which may not be below it) to
     * {@code memBytes} and the CFS quota to {@code cpus}, each when above 0. The caller makes
     * sure they only grow: the kernel may refuse a memory limit below what the group uses.
     */
    @Override
    public void grow(Cgroups.Group group, long memBytes, double cpus) throws IOException {
        Group g = v1(group);
        if (memBytes > 0) {
            Path memsw = g.memory().resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) {
                write(memsw, memBytes);
            }
            write(g.memory().resolve("memory.limit_in_bytes"), memBytes);
        }
        if (cpus > 0) {
            write(g.cpu().resolve("cpu.cfs_quota_us"), cfsQuotaUs(cpus));
        }
    }

    /** Moves a process (and the threads it has) into the task's groups. */
    @Override
    public void move(Cgroups.Group group, long pid) throws IOException {
        Group g = v1(group);
        write(g.memory().resolve("cgroup.procs"), pid);
        write(g.cpu().resolve("cgroup.procs"), pid);
    }

    /**
     * How many times the kernel's OOM killer killed a process of the group: the {@code oom_kill}
     * line of {@code memory.oom_control} (kernels from 4.13); empty when the kernel does not count.
     */
    @Override
    public OptionalLong oomKills(Cgroups.Group group) {
        Group g = v1(group);
        try {
            for (String line : Files.readAllLines(g.memory().resolve("memory.oom_control"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("oom_kill ")) {
                    return OptionalLong.of(Long.parseLong(line.substring("oom_kill ".length()).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no count: the caller falls back to memory.failcnt
        }
        return OptionalLong.empty();
    }

    /** How often the group's memory usage hit its limit; 0 when unreadable. */
    @Override
    public long memoryFailCount(Cgroups.Group group) {
        Group g = v1(group);
        try {
            return Long.parseLong(Files.readString(g.memory().resolve("memory.failcnt"), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Removes a task's groups; a group that still holds a process (a child the task left
     * behind) cannot be removed, so a busy one is tried once more.
     *
     * @return the groups that could not be removed, with why
     */
    @Override
    public List<String> remove(Cgroups.Group group) {
        Group g = v1(group);
        List<String> failures = new ArrayList<>();
        for (Path dir : List.of(g.memory(), g.cpu())) {
            String failure = rmdir(dir);
            if (failure != null) {
                failure = rmdir(dir);
            }
            if (failure != null) {
                failures.add(failure);
            }
        }
        return failures;
    }

    /** Removes the agent's parent groups, and {@code drover} above them when nothing else is left there. */
    @Override
    public List<String> close() {
        List<String> failures = new ArrayList<>();
        for (Path dir : List.of(memoryParent, cpuParent)) {
            String failure = rmdir(dir);
            if (failure != null) {
                failures.add(failure);
            } else {
                rmdir(dir.getParent());
            }
        }
        return failures;
    }

    static String rmdir(Path dir) {
        try {
            // On cgroupfs the control files go with the directory; a fake root in a temp dir
            // has plain files that must be deleted first.
            if (!isCgroupfs(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        if (Files.isRegularFile(f)) {
                            Files.delete(f);
                        }
                    }
                }
            }
            Files.delete(dir);
            return null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (DirectoryNotEmptyException e) {
            return dir + ": not empty";
        } catch (FileSystemException e) {
            return dir + ": " + (e.getReason() != null ? e.getReason() : e.toString());
        } catch (IOException e) {
            return dir + ": " + e;
        }
    }

    private static boolean isCgroupfs(Path dir) {
        try {
            return Files.getFileStore(dir).type().startsWith("cgroup");
        } catch (IOException e) {
            return false;
        }
    }

    static void write(Path file, long value) throws IOException {
        Files.writeString(file, Long.toString(value), StandardCharsets.US_ASCII);
    }
}
