package io.drover.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the agent's {@link Isolator} from its {@link AgentConfig.Isolation} and what the machine allows. */
final class Isolators {
    private static final Logger LOG = LoggerFactory.getLogger(Isolators.class);
    /** Where cgroup hierarchies are mounted on Linux. */
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /**
     * Chooses cgroup v2 where {@code cgroupRoot} is a writable unified hierarchy with the memory
     * and cpu controllers, else cgroup v1 where its memory and cpu hierarchies are writable, else
     * (under {@code AUTO}) memory monitoring; logs which and why.
     *
     * @param cgroupRoot where the cgroup hierarchies are mounted
     * @param monitor makes the memory monitor, when that is the choice
     * @throws IllegalStateException under {@code CGROUPS} when neither cgroup version can be used, saying why
     */
    static Isolator create(AgentConfig.Isolation mode, Path cgroupRoot, String agentId, Supplier<MemoryMonitor> monitor) {
        Isolator chosen;
        if (mode == AgentConfig.Isolation.MONITOR) {
            chosen = monitor.get();
        } else {
            try {
                chosen = new CgroupIsolator(openCgroups(cgroupRoot, agentId));
            } catch (IOException e) {
                if (mode == AgentConfig.Isolation.CGROUPS) {
                    throw new IllegalStateException("agent " + agentId + ": isolation cgroups was asked for, but " + e.getMessage(), e);
                }
                LOG.info("agent {}: cgroups cannot be used ({}): falling back to memory monitoring", agentId, e.getMessage());
                chosen = monitor.get();
            }
        }
        LOG.info("agent {}: isolation {} chose {}", agentId, mode.name().toLowerCase(java.util.Locale.ROOT), chosen.describe());
        if (chosen instanceof MemoryMonitor) {
            LOG.info("agent {}: task cpus are not enforced under memory monitoring, only memory", agentId);
        }
        return chosen;
    }

    /** cgroup v2 when the root is a usable unified hierarchy, else v1; the IOException says why neither works. */
    static Cgroups openCgroups(Path root, String agentId) throws IOException {
        if (!CgroupsV2.isUnified(root)) {
            return CgroupsV1.open(root, agentId);
        }
        try {
            return CgroupsV2.open(root, agentId);
        } catch (IOException v2) {
            try {
                return CgroupsV1.open(root, agentId);
            } catch (IOException v1) {
                throw new IOException(v2.getMessage() + "; " + v1.getMessage(), v2);
            }
        }
    }

    private Isolators() {}
}
