package io.drover.agent;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A cgroup file system the agent holds tasks in: {@link CgroupsV1} (separate memory and cpu
 * hierarchies) or {@link CgroupsV2} (one unified hierarchy). Each has a parent group per agent and
 * a child group per task (or executor) beneath it. Only files are touched, so tests can point the
 * root at a temp dir laid out like the real one.
 *
 * <p>Not thread-safe; the agent's loop thread uses it.
 */
interface Cgroups {
    /** A task's group(s). */
    interface Group {}

    /**
     * Creates a task's group and sets its limits: memory to {@code memBytes} when above 0 (no
     * swapping past it), and a CPU quota of {@code cpus} per 100 ms period when above 0.
     */
    Group create(String name, long memBytes, double cpus) throws IOException;

    /** A task's group made earlier (by an earlier run of this agent), when it still exists. */
    Optional<? extends Group> existing(String name);

    /** Raises a group's limits (each when above 0); the caller makes sure they only grow. */
    void grow(Group g, long memBytes, double cpus) throws IOException;

    /** Moves a process (and the threads it has) into the group. */
    void move(Group g, long pid) throws IOException;

    /** How many times the kernel's OOM killer killed a process of the group; empty when it does not count. */
    OptionalLong oomKills(Group g);

    /** How often the group's memory usage hit its limit; 0 when unreadable. */
    long memoryFailCount(Group g);

    /** Removes a task's group; returns the groups that could not be removed, with why. */
    List<String> remove(Group g);

    /** Removes the agent's parent group(s), and {@code drover} above them when nothing else is left there. */
    List<String> close();

    /** For logs: which version and what it limits. */
    String describe();
}
