package io.drover.api;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * How the master assigns each agent its partition of drover.agent-commands: the murmur2 hash of
 * the agent id, as Kafka's own partitioner would place the key. Because the agent can compute it
 * too, it reads the right partition before the master's AgentRegistered answer arrives; that
 * answer still names the partition, and an agent follows what the master says.
 */
public final class AgentPartitions {
    /** The partition, in [0, partitions), of drover.agent-commands for this agent. */
    public static int commandPartition(String agentId, int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive: " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(agentId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private AgentPartitions() {}
}
