package io.drover.master;

import io.drover.master.alloc.AllocationConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a master is configured with, validated once by {@link #validate()}.
 *
 * @param bootstrap Kafka bootstrap servers, host:port[,host:port]
 * @param dataDir where the master keeps its RocksDB state
 * @param masterId this master's name, for logs and the MasterElected record
 * @param transactionalId the transactional.id all masters of a cluster share (fencing)
 * @param agentHeartbeatIntervalMs how often agents heartbeat
 * @param agentTimeoutMs how long an agent may stay silent before it is removed and its tasks lost
 * @param frameworkHeartbeatIntervalMs how often the master sends HEARTBEAT to frameworks
 * @param masterHeartbeatIntervalMs how often the active master writes a heartbeat to its log
 * @param allocationIntervalMs longest time between allocation passes
 * @param offerTimeoutMs how long an offer stays outstanding before it is rescinded
 * @param pollTimeoutMs longest wait for input in one loop turn
 * @param maxBatchRecords most input records turned into one transaction
 * @param killGracePeriodMs time agents give a killed task between SIGTERM and SIGKILL
 * @param allocation the allocator's roles, weights, quotas and fairness policy
 */
public record MasterConfig(
        String bootstrap,
        Path dataDir,
        String masterId,
        String transactionalId,
        long agentHeartbeatIntervalMs,
        long agentTimeoutMs,
        long frameworkHeartbeatIntervalMs,
        long masterHeartbeatIntervalMs,
        long allocationIntervalMs,
        long offerTimeoutMs,
        long pollTimeoutMs,
        int maxBatchRecords,
        long killGracePeriodMs,
        AllocationConfig allocation) {

    public static final String DEFAULT_TRANSACTIONAL_ID = "drover-master";

    /** The defaults for a master of the cluster at {@code bootstrap} keeping state in {@code dataDir}. */
    public static MasterConfig defaults(String bootstrap, Path dataDir) {
        return new MasterConfig(bootstrap, dataDir, "master-" + ProcessHandle.current().pid(), DEFAULT_TRANSACTIONAL_ID,
                1_000, 30_000, 5_000, 500, 1_000, 30_000, 20, 500, 3_000, AllocationConfig.none());
    }

    public MasterConfig withMasterId(String id) {
        return new MasterConfig(bootstrap, dataDir, id, transactionalId, agentHeartbeatIntervalMs, agentTimeoutMs, frameworkHeartbeatIntervalMs,
                masterHeartbeatIntervalMs, allocationIntervalMs, offerTimeoutMs, pollTimeoutMs, maxBatchRecords, killGracePeriodMs, allocation);
    }

    public MasterConfig withAgentTimeoutMs(long ms) {
        return new MasterConfig(bootstrap, dataDir, masterId, transactionalId, agentHeartbeatIntervalMs, ms, frameworkHeartbeatIntervalMs,
                masterHeartbeatIntervalMs, allocationIntervalMs, offerTimeoutMs, pollTimeoutMs, maxBatchRecords, killGracePeriodMs, allocation);
    }

    public MasterConfig withOfferTimeoutMs(long ms) {
        return new MasterConfig(bootstrap, dataDir, masterId, transactionalId, agentHeartbeatIntervalMs, agentTimeoutMs, frameworkHeartbeatIntervalMs,
                masterHeartbeatIntervalMs, allocationIntervalMs, ms, pollTimeoutMs, maxBatchRecords, killGracePeriodMs, allocation);
    }

    /** This configuration with the allocator's roles, weights and quotas set to {@code a}. */
    public MasterConfig withAllocation(AllocationConfig a) {
        return new MasterConfig(bootstrap, dataDir, masterId, transactionalId, agentHeartbeatIntervalMs, agentTimeoutMs, frameworkHeartbeatIntervalMs,
                masterHeartbeatIntervalMs, allocationIntervalMs, offerTimeoutMs, pollTimeoutMs, maxBatchRecords, killGracePeriodMs, a);
    }

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException naming each value that is out of range
     */
    public MasterConfig validate() {
        List<String> errors = new ArrayList<>();
        if (bootstrap == null || bootstrap.isBlank()) {
            errors.add("bootstrap must name at least one host:port");
        }
        Objects.requireNonNull(dataDir, "dataDir");
        if (masterId == null || masterId.isBlank()) {
            errors.add("masterId must not be empty");
        }
        if (transactionalId == null || transactionalId.isBlank()) {
            errors.add("transactionalId must not be empty");
        }
        range(errors, "agentHeartbeatIntervalMs", agentHeartbeatIntervalMs, 10, 600_000);
        range(errors, "agentTimeoutMs", agentTimeoutMs, 100, 86_400_000);
        if (agentTimeoutMs <= agentHeartbeatIntervalMs) {
            errors.add("agentTimeoutMs must be longer than agentHeartbeatIntervalMs");
        }
        range(errors, "frameworkHeartbeatIntervalMs", frameworkHeartbeatIntervalMs, 10, 600_000);
        range(errors, "masterHeartbeatIntervalMs", masterHeartbeatIntervalMs, 10, 60_000);
        range(errors, "allocationIntervalMs", allocationIntervalMs, 1, 600_000);
        range(errors, "offerTimeoutMs", offerTimeoutMs, 100, 86_400_000);
        range(errors, "pollTimeoutMs", pollTimeoutMs, 1, 10_000);
        range(errors, "maxBatchRecords", maxBatchRecords, 1, 100_000);
        range(errors, "killGracePeriodMs", killGracePeriodMs, 0, 600_000);
        if (allocation == null) {
            errors.add("allocation must be set (AllocationConfig.none() for no roles)");
        } else {
            errors.addAll(allocation.errors());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid master configuration: " + String.join("; ", errors));
        }
        return this;
    }

    private static void range(List<String> errors, String name, long value, long min, long max) {
        if (value < min || value > max) {
            errors.add(name + " must be in [" + min + ", " + max + "], was " + value);
        }
    }
}
