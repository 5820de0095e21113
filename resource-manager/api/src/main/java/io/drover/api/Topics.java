package io.drover.api;

import java.util.List;
import java.util.Map;

/**
 * Every Kafka topic Drover uses, with its partition count and configuration, defined in one place.
 * {@link io.drover.api.kafka.TopicSetup} creates the fixed ones at start; the master creates a
 * framework's offers topic at its first subscribe.
 */
public final class Topics {
    public static final String AGENTS = "drover.agents";
    public static final String STATUS = "drover.status";
    public static final String CALLS = "drover.calls";
    public static final String AGENT_COMMANDS = "drover.agent-commands";
    public static final String MASTER_LOG = "drover.master-log";
    /** Compacted; key "latest" points at the newest snapshot in the master log. */
    public static final String MASTER_SNAPSHOTS = "drover.master-snapshots";
    public static final String SCHEMAS = "drover.schemas";
    public static final String JOBS = "drover.jobs";
    public static final String DEAD_LETTERS = "drover.dead-letters";
    /** Prefix of the per-framework offer topics; see {@link #offers(String)}. */
    public static final String OFFERS_PREFIX = "drover.offers.";

    private static final long DAY_MS = 24L * 3600 * 1000;

    /** How one topic is laid out. */
    public record Spec(String name, int partitions, Map<String, String> configs) {}

    /**
     * The fixed topics. The master log is kept forever: until snapshots bound recovery, every
     * record is needed to rebuild the master's state.
     */
    public static final List<Spec> FIXED = List.of(
            new Spec(AGENTS, 4, Map.of("retention.ms", Long.toString(DAY_MS))),
            new Spec(STATUS, 4, Map.of("retention.ms", Long.toString(7 * DAY_MS))),
            new Spec(CALLS, 1, Map.of("retention.ms", Long.toString(7 * DAY_MS))),
            new Spec(AGENT_COMMANDS, 8, Map.of("retention.ms", Long.toString(7 * DAY_MS))),
            new Spec(MASTER_LOG, 1, Map.of("retention.ms", "-1", "cleanup.policy", "delete")),
            new Spec(SCHEMAS, 1, Map.of("cleanup.policy", "compact")),
            new Spec(MASTER_SNAPSHOTS, 1, Map.of("cleanup.policy", "compact")),
            new Spec(JOBS, 4, Map.of("retention.ms", Long.toString(90 * DAY_MS))),
            new Spec(DEAD_LETTERS, 1, Map.of("retention.ms", Long.toString(30 * DAY_MS))));

    /** Layout of a framework's offers topic: one partition keeps its events in order. */
    public static Spec offersSpec(String frameworkId) {
        return new Spec(offers(frameworkId), 1, Map.of("retention.ms", Long.toString(7 * DAY_MS)));
    }

    /** Name of the topic that carries events to one framework. */
    public static String offers(String frameworkId) {
        return OFFERS_PREFIX + frameworkId;
    }

    /** Number of partitions of drover.agent-commands, for the master's partition assignment. */
    public static int agentCommandPartitions() {
        return FIXED.stream().filter(s -> s.name().equals(AGENT_COMMANDS)).findFirst().orElseThrow().partitions();
    }

    private Topics() {}
}
