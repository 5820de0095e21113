package io.drover.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cgroup v2 (unified) file system mounted at a root such as {@code /sys/fs/cgroup}: one parent
 * group {@code drover/<agentId>} with the memory and cpu controllers enabled for its children, and
 * a child group per task beneath it with {@code memory.max} (and {@code memory.swap.max} 0, where
 * the kernel has it, so a task is killed rather than swapped), {@code cpu.max}
 * ({@code "<quota> 100000"}), {@code cgroup.procs}, and OOM kills counted in
 * {@code memory.events} ({@code oom_kill}).
 *
 * <p>Detected only where the root itself is a unified hierarchy ({@code cgroup.controllers}
 * lists memory and cpu) that this agent can write; hosts that mount v2 elsewhere (the hybrid
 * layout's {@code unified/}) use {@link CgroupsV1}.
 *
 * <p>Not thread-safe; the agent's loop thread uses it.
 */
final class CgroupsV2 implements Cgroups {
    static final String CONTROLLERS = "cgroup.controllers";
    static final String SUBTREE_CONTROL = "cgroup.subtree_control";
    static final Set<String> NEEDED = Set.of("memory", "cpu");

    private final Path parent;

    private CgroupsV2(Path parent) {
        this.parent = parent;
    }

    /** A task's group. */
    record Group(Path dir) implements Cgroups.Group {}

    private static Group v2(Cgroups.Group g) {
        return (Group) g;
    }

    /** Whether {@code root} looks like a cgroup v2 hierarchy (it has {@value #CONTROLLERS}). */
    static boolean isUnified(Path root) {
        return Files.isRegularFile(root.resolve(CONTROLLERS));
    }

    /**
     * Checks that {@code root} is a unified hierarchy with the memory and cpu controllers, creates
     * this agent's parent group and enables both controllers down to it.
     *
     * @throws IOException saying why cgroup v2 cannot be used: not a unified hierarchy, a
     *     controller missing, or the groups not writable (not root, a read-only mount, a
     *     container's delegated tree without them)
     */
    static CgroupsV2 open(Path root, String agentId) throws IOException {
        if (!isUnified(root)) {
            throw new IOException("no cgroup v2 hierarchy at " + root);
        }
        Set<String> available = words(root.resolve(CONTROLLERS));
        if (!available.containsAll(NEEDED)) {
            throw new IOException("cgroup v2 at " + root + " lacks the memory or cpu controller (has " + available + ")");
        }
        Path drover = root.resolve("drover");
        Path parent = drover.resolve(agentId);
        try {
            enable(root);
            Files.createDirectories(parent);
            enable(drover);
            enable(parent);
        } catch (IOException e) {
            throw new IOException("cannot set up cgroup v2 groups under " + root + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(parent)) {
            throw new IOException("cgroup " + parent + " is not writable");
        }
        return new CgroupsV2(parent);
    }

    /** Makes the memory and cpu controllers available to the children of {@code group}. */
    private static void enable(Path group) throws IOException {
        Path control = group.resolve(SUBTREE_CONTROL);
        if (Files.exists(control) && words(control).containsAll(NEEDED)) {
            return;
        }
        Files.writeString(control, "+memory +cpu", StandardCharsets.US_ASCII);
    }

    private static Set<String> words(Path file) throws IOException {
        return Arrays.stream(Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\s+"))
                .filter(w -> !w.isEmpty()).collect(Collectors.toSet());
    }

    /** {@code cpu.max} for {@code cpus}: the quota per {@link CgroupsV1#CFS_PERIOD_US}, then the period. */
    static String cpuMax(double cpus) {
        return CgroupsV1.cfsQuotaUs(cpus) + " " + CgroupsV1.CFS_PERIOD_US;
    }

    @Override
    public Group create(String name, long memBytes, double cpus) throws IOException {
        Group g = new Group(parent.resolve(name));
        Files.createDirectory(g.dir());
        try {
            set(g, memBytes, cpus);
            Path swap = g.dir().resolve("memory.swap.max");
            if (memBytes > 0 && Files.exists(swap)) {
                Files.writeString(swap, "0", StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            remove(g);
            throw e;
        }
        return g;
    }

    private static void set(Group g, long memBytes, double cpus) throws IOException {
        if (memBytes > 0) {
            CgroupsV1.write(g.dir().resolve("memory.max"), memBytes);
        }
        if (cpus > 0) {
            Files.writeString(g.dir().resolve("cpu.max"), cpuMax(cpus), StandardCharsets.US_ASCII);
        }
    }

    @Override
    public Optional<Group> existing(String name) {
        Group g = new Group(parent.resolve(name));
        return Files.isDirectory(g.dir()) ? Optional.of(g) : Optional.empty();
    }

    @Override
    public void grow(Cgroups.Group group, long memBytes, double cpus) throws IOException {
        set(v2(group), memBytes, cpus);
    }

    @Override
    public void move(Cgroups.Group group, long pid) throws IOException {
        CgroupsV1.write(v2(group).dir().resolve("cgroup.procs"), pid);
    }

    @Override
    public OptionalLong oomKills(Cgroups.Group group) {
        return event(v2(group), "oom_kill");
    }

    @Override
    public long memoryFailCount(Cgroups.Group group) {
        return event(v2(group), "max").orElse(0);
    }

    /** A counter of {@code memory.events}. */
    private static OptionalLong event(Group g, String name) {
        try {
            for (String line : Files.readAllLines(g.dir().resolve("memory.events"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(name + " ")) {
                    return OptionalLong.of(Long.parseLong(line.substring(name.length() + 1).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not counted
        }
        return OptionalLong.empty();
    }

    @Override
    public List<String> remove(Cgroups.Group group) {
        Path dir = v2(group).dir();
        String failure = CgroupsV1.rmdir(dir);
        if (failure != null) {
            failure = CgroupsV1.rmdir(dir);
        }
        List<String> failures = new ArrayList<>();
        if (failure != null) {
            failures.add(failure);
        }
        return failures;
    }

    @Override
    public List<String> close() {
        List<String> failures = new ArrayList<>();
        String failure = CgroupsV1.rmdir(parent);
        if (failure != null) {
            failures.add(failure);
        } else {
            CgroupsV1.rmdir(parent.getParent());
        }
        return failures;
    }

    @Override
    public String describe() {
        return "cgroups v2 (memory and cpu limits)";
    }
}
