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
     * @param cgroupRoot where the cgroup v1 hierarchies are mounted
     * @param monitor makes the memory monitor, when that is the choice
     * @throws IllegalStateException under {@code CGROUPS} when cgroups v1 cannot be used, saying why
     */
    static Isolator create(AgentConfig.Isolation mode, Path cgroupRoot, String agentId, Supplier<MemoryMonitor> monitor) {
        Isolator chosen;
        if (mode == AgentConfig.Isolation.MONITOR) {
            chosen = monitor.get();
        } else {
            try {
                chosen = new CgroupIsolator(CgroupsV1.open(cgroupRoot, agentId));
            } catch (IOException e) {
                if (mode == AgentConfig.Isolation.CGROUPS) {
                    throw new IllegalStateException("agent " + agentId + ": isolation cgroups was asked for, but " + e.getMessage(), e);
                }
                LOG.info("agent {}: cgroups v1 cannot be used ({}): falling back to memory monitoring", agentId, e.getMessage());
                chosen = monitor.get();
            }
        }
        LOG.info("agent {}: isolation {} chose {}", agentId, mode.name().toLowerCase(java.util.Locale.ROOT), chosen.describe());
        if (chosen instanceof MemoryMonitor) {
            LOG.info("agent {}: task cpus are not enforced under memory monitoring, only memory", agentId);
        }
        return chosen;
    }

    private Isolators() {}
}
