package io.drover.agent;

import io.drover.api.protocol.Resources;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds each task in a cgroup of its own ({@link CgroupsV1} memory and cpu groups, or one
 * {@link CgroupsV2} group): the kernel kills a process of the task when the group's memory passes
 * {@code memMb} MiB, and throttles it to {@code cpus} per 100 ms period.
 *
 * <p>The process is moved in right after it starts, since only then is its pid known: for that
 * moment (well under a millisecond, the task's program is still being exec'd) it runs outside
 * its limits, and a child it forked in that window would stay outside them.
 */
final class CgroupIsolator implements Isolator {
    private static final Logger LOG = LoggerFactory.getLogger(CgroupIsolator.class);
    private static final long MIB = 1024 * 1024;

    private final Cgroups cgroups;

    CgroupIsolator(Cgroups cgroups) {
        this.cgroups = cgroups;
    }

    @Override
    public Guard attach(String frameworkId, String taskId, ProcessHandle process, Resources resources) throws IOException {
        long memMb = resources.getMemMb();
        String name = groupName(frameworkId, taskId, process);
        Cgroups.Group group = cgroups.create(name, Math.max(0, memMb) * MIB, resources.getCpus());
        try {
            cgroups.move(group, process.pid());
        } catch (IOException e) {
            cgroups.remove(group);
            if (exitedAlready(e, process)) {
                // A task that ends within the window has nothing left to limit.
                return NO_GUARD;
            }
            throw new IOException("cannot move pid " + process.pid() + " into cgroup " + name + ": " + e.getMessage(), e);
        }
        return guard(group, memMb, resources.getCpus(), frameworkId, taskId);
    }

    /**
     * A re-attached task keeps the groups its earlier agent run made for it, limits and OOM count
     * included, when they are still there (its whole tree is still inside them); else it gets new
     * ones, as at a start.
     */
    @Override
    public Guard reattach(String frameworkId, String taskId, ProcessHandle process, Resources resources) throws IOException {
        Optional<? extends Cgroups.Group> existing = cgroups.existing(groupName(frameworkId, taskId, process));
        if (existing.isPresent()) {
            return guard(existing.get(), resources.getMemMb(), resources.getCpus(), frameworkId, taskId);
        }
        return attach(frameworkId, taskId, process, resources);
    }

    /** '~' never occurs in ids, and the pid keeps a re-run's group apart from a leftover one. */
    private static String groupName(String frameworkId, String taskId, ProcessHandle process) {
        return frameworkId + ProcessLauncher.RUN_SEPARATOR + taskId + ProcessLauncher.RUN_SEPARATOR + process.pid();
    }

    private Guard guard(Cgroups.Group group, long memMb, double cpus, String frameworkId, String taskId) {
        return new Guard() {
            /** The memory limit now: it grows with an executor's tasks. */
            private volatile long limitMb = memMb;
            private volatile double limitCpus = cpus;

            @Override
            public synchronized void grow(Resources more) throws IOException {
                long mem = limitMb > 0 && more.getMemMb() > limitMb ? more.getMemMb() : 0;
                double cpus = limitCpus > 0 && more.getCpus() > limitCpus ? more.getCpus() : 0;
                if (mem > 0 || cpus > 0) {
                    cgroups.grow(group, mem * MIB, cpus);
                    limitMb = Math.max(limitMb, mem);
                    limitCpus = Math.max(limitCpus, cpus);
                }
            }

            @Override
            public Optional<String> memoryKill(int exitCode) {
                long memMb = limitMb;
                if (memMb <= 0 || exitCode == 0) {
                    return Optional.empty();
                }
                OptionalLong oomKills = cgroups.oomKills(group);
                if (oomKills.isPresent()) {
                    return oomKills.getAsLong() > 0
                            ? Optional.of(Isolator.memoryKillMessage(memMb, "cgroup OOM kills: " + oomKills.getAsLong()))
                            : Optional.empty();
                }
                // An older kernel counts no OOM kills: a SIGKILL after the limit was hit is taken for one.
                return exitCode == 137 && cgroups.memoryFailCount(group) > 0
                        ? Optional.of(Isolator.memoryKillMessage(memMb, "SIGKILL after the cgroup hit its limit"))
                        : Optional.empty();
            }

            @Override
            public void release() {
                List<String> failures = cgroups.remove(group);
                if (!failures.isEmpty()) {
                    LOG.warn("task {} of framework {}: cannot remove its cgroups, a process of it may still run: {}",
                            taskId, frameworkId, failures);
                }
            }
        };
    }

    /** The kernel refuses a pid that has exited (a zombie too) with ESRCH. */
    private static boolean exitedAlready(IOException e, ProcessHandle process) {
        return !process.isAlive()
                || e instanceof FileSystemException fse && fse.getReason() != null && fse.getReason().contains("No such process");
    }

    @Override
    public String describe() {
        return cgroups.describe();
    }

    @Override
    public void close() {
        List<String> failures = cgroups.close();
        if (!failures.isEmpty()) {
            LOG.warn("cannot remove the agent's cgroups: {}", failures);
        }
    }
}
