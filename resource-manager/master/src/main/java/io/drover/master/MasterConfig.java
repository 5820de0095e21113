package io.drover.master;

import io.drover.master.alloc.AllocationConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a master is configured with, validated once by {@link #validate()}. Start from
 * {@link #defaults}, change what differs with {@link #toBuilder()} (or the {@code with...}
 * shortcuts), and build.
 *
 * @param bootstrap Kafka bootstrap servers, host:port[,host:port]
 * @param dataDir where the master keeps its RocksDB state
 * @param masterId this master's name, for logs and the MasterElected record
 * @param transactionalId the transactional.id all masters of a cluster share (fencing)
 * @param agentHeartbeatIntervalMs how often agents heartbeat
 * @param agentTimeoutMs how long an agent may stay silent before it is unreachable (its tasks UNREACHABLE)
 * @param agentGoneTimeoutMs how long an agent may stay unreachable before it is removed (its tasks GONE)
 * @param frameworkHeartbeatIntervalMs how often the master sends HEARTBEAT to frameworks, and how
 *     often frameworks must call; three intervals of silence disconnect a framework
 * @param masterHeartbeatIntervalMs how often the active master writes a heartbeat to its log
 * @param allocationIntervalMs longest time between full allocation passes
 * @param offerTimeoutMs how long an offer stays outstanding before it is rescinded
 * @param pollTimeoutMs longest wait for input in one loop turn
 * @param maxBatchRecords most input records turned into one transaction
 * @param killGracePeriodMs time agents give a killed task between SIGTERM and SIGKILL
 * @param httpListen where the HTTP API listens, host:port (port 0 picks a free one); empty for none
 * @param snapshotIntervalRecords master-log records between two snapshots of the whole state
 * @param allocation the allocator's roles, weights, quotas and fairness policy
 * @param standbyTimeoutMs how long a standby waits without a record from the active master
 *     before it takes over (the active master writes a heartbeat every masterHeartbeatIntervalMs)
 */
public record MasterConfig(
        String bootstrap,
        Path dataDir,
        String masterId,
        String transactionalId,
        long agentHeartbeatIntervalMs,
        long agentTimeoutMs,
        long agentGoneTimeoutMs,
        long frameworkHeartbeatIntervalMs,
        long masterHeartbeatIntervalMs,
        long allocationIntervalMs,
        long offerTimeoutMs,
        long pollTimeoutMs,
        int maxBatchRecords,
        long killGracePeriodMs,
        String httpListen,
        long snapshotIntervalRecords,
        AllocationConfig allocation,
        long standbyTimeoutMs) {

    public static final String DEFAULT_TRANSACTIONAL_ID = "drover-master";
    /** The HTTP API's default: every interface, port 5050 (the Mesos master's port). */
    public static final String DEFAULT_HTTP_LISTEN = "0.0.0.0:5050";

    /** The defaults for a master of the cluster at {@code bootstrap} keeping state in {@code dataDir}. */
    public static MasterConfig defaults(String bootstrap, Path dataDir) {
        return new MasterConfig(bootstrap, dataDir, "master-" + ProcessHandle.current().pid(), DEFAULT_TRANSACTIONAL_ID,
                1_000, 15_000, 600_000, 5_000, 500, 1_000, 30_000, 20, 500, 3_000, DEFAULT_HTTP_LISTEN, 10_000,
                AllocationConfig.none(), 2_000);
    }

    /** Silence after which a framework counts as disconnected: three heartbeat intervals. */
    public long frameworkDisconnectMs() {
        return 3 * frameworkHeartbeatIntervalMs;
    }

    public MasterConfig withMasterId(String id) {
        return toBuilder().masterId(id).build();
    }

    public MasterConfig withOfferTimeoutMs(long ms) {
        return toBuilder().offerTimeoutMs(ms).build();
    }

    public MasterConfig withHttpListen(String listen) {
        return toBuilder().httpListen(listen).build();
    }

    public MasterConfig withSnapshotIntervalRecords(long records) {
        return toBuilder().snapshotIntervalRecords(records).build();
    }

    public MasterConfig withAllocation(AllocationConfig a) {
        return toBuilder().allocation(a).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
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
        range(errors, "agentGoneTimeoutMs", agentGoneTimeoutMs, 100, 30L * 86_400_000);
        range(errors, "frameworkHeartbeatIntervalMs", frameworkHeartbeatIntervalMs, 10, 600_000);
        range(errors, "masterHeartbeatIntervalMs", masterHeartbeatIntervalMs, 10, 60_000);
        range(errors, "allocationIntervalMs", allocationIntervalMs, 1, 600_000);
        range(errors, "offerTimeoutMs", offerTimeoutMs, 100, 86_400_000);
        range(errors, "pollTimeoutMs", pollTimeoutMs, 1, 10_000);
        range(errors, "maxBatchRecords", maxBatchRecords, 1, 100_000);
        range(errors, "killGracePeriodMs", killGracePeriodMs, 0, 600_000);
        range(errors, "standbyTimeoutMs", standbyTimeoutMs, 10, 600_000);
        if (standbyTimeoutMs <= 2 * masterHeartbeatIntervalMs) {
            errors.add("standbyTimeoutMs must be more than two master heartbeat intervals");
        }
        range(errors, "snapshotIntervalRecords", snapshotIntervalRecords, 10, 100_000_000);
        if (httpListen == null || (!httpListen.isEmpty() && !httpListen.matches("[^:\\s]+:\\d{1,5}"))) {
            errors.add("httpListen must be host:port or empty, was '" + httpListen + "'");
        }
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

    /** A mutable copy of a config; {@link #build()} makes the record (validate it before use). */
    public static final class Builder {
        private String bootstrap;
        private Path dataDir;
        private String masterId;
        private String transactionalId;
        private long agentHeartbeatIntervalMs;
        private long agentTimeoutMs;
        private long agentGoneTimeoutMs;
        private long frameworkHeartbeatIntervalMs;
        private long masterHeartbeatIntervalMs;
        private long allocationIntervalMs;
        private long offerTimeoutMs;
        private long pollTimeoutMs;
        private int maxBatchRecords;
        private long killGracePeriodMs;
        private String httpListen;
        private long snapshotIntervalRecords;
        private AllocationConfig allocation;
        private long standbyTimeoutMs;

        private Builder(MasterConfig c) {
            bootstrap = c.bootstrap;
            dataDir = c.dataDir;
            masterId = c.masterId;
            transactionalId = c.transactionalId;
            agentHeartbeatIntervalMs = c.agentHeartbeatIntervalMs;
            agentTimeoutMs = c.agentTimeoutMs;
            agentGoneTimeoutMs = c.agentGoneTimeoutMs;
            frameworkHeartbeatIntervalMs = c.frameworkHeartbeatIntervalMs;
            masterHeartbeatIntervalMs = c.masterHeartbeatIntervalMs;
            allocationIntervalMs = c.allocationIntervalMs;
            offerTimeoutMs = c.offerTimeoutMs;
            pollTimeoutMs = c.pollTimeoutMs;
            maxBatchRecords = c.maxBatchRecords;
            killGracePeriodMs = c.killGracePeriodMs;
            httpListen = c.httpListen;
            snapshotIntervalRecords = c.snapshotIntervalRecords;
            allocation = c.allocation;
            standbyTimeoutMs = c.standbyTimeoutMs;
        }

        public Builder masterId(String v) { masterId = v; return this; }
        public Builder transactionalId(String v) { transactionalId = v; return this; }
        public Builder agentHeartbeatIntervalMs(long v) { agentHeartbeatIntervalMs = v; return this; }
        public Builder agentTimeoutMs(long v) { agentTimeoutMs = v; return this; }
        public Builder agentGoneTimeoutMs(long v) { agentGoneTimeoutMs = v; return this; }
        public Builder frameworkHeartbeatIntervalMs(long v) { frameworkHeartbeatIntervalMs = v; return this; }
        public Builder masterHeartbeatIntervalMs(long v) { masterHeartbeatIntervalMs = v; return this; }
        public Builder allocationIntervalMs(long v) { allocationIntervalMs = v; return this; }
        public Builder offerTimeoutMs(long v) { offerTimeoutMs = v; return this; }
        public Builder pollTimeoutMs(long v) { pollTimeoutMs = v; return this; }
        public Builder maxBatchRecords(int v) { maxBatchRecords = v; return this; }
        public Builder killGracePeriodMs(long v) { killGracePeriodMs = v; return this; }
        public Builder httpListen(String v) { httpListen = v; return this; }
        public Builder snapshotIntervalRecords(long v) { snapshotIntervalRecords = v; return this; }
        public Builder allocation(AllocationConfig v) { allocation = v; return this; }
        public Builder standbyTimeoutMs(long v) { standbyTimeoutMs = v; return this; }

        public MasterConfig build() {
            return new MasterConfig(bootstrap, dataDir, masterId, transactionalId, agentHeartbeatIntervalMs, agentTimeoutMs,
                    agentGoneTimeoutMs, frameworkHeartbeatIntervalMs, masterHeartbeatIntervalMs, allocationIntervalMs,
                    offerTimeoutMs, pollTimeoutMs, maxBatchRecords, killGracePeriodMs, httpListen, snapshotIntervalRecords,
                    allocation, standbyTimeoutMs);
        }
    }
}
