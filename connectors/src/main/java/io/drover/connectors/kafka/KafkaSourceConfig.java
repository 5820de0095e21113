package io.drover.connectors.kafka;

import java.util.Map;
import java.util.Set;

/**
 * Configuration of a {@link KafkaSource}, validated once at construction. Build it with
 * {@link #of} and the {@code with...} methods.
 *
 * <p>The range read from each partition is one of:
 * <ul>
 *   <li>by default, from the log start to the end captured at planning;
 *   <li>an offset range ({@link #withOffsets}): per partition, a start (inclusive; a partition not
 *       named starts at the log start) and an end (exclusive; a partition not named ends at the
 *       end captured at planning);
 *   <li>a timestamp range ({@link #withTimestamps}): records with {@code fromMs <= timestamp < toMs}.
 * </ul>
 *
 * @param bootstrapServers where the cluster is, {@code host:port[,host:port...]}
 * @param topic the topic to read
 * @param startOffsets per partition, the first offset to read; empty for the log start
 * @param endOffsets per partition, the offset to stop before; empty for the end at planning
 * @param fromTimestampMs with a timestamp range, its inclusive start; -1 for none
 * @param toTimestampMs with a timestamp range, its exclusive end; -1 for the end at planning
 * @param clientProperties extra Kafka consumer properties (security, for instance); they cannot
 *     change the isolation level, offset reset or deserializers that the source relies on
 * @param pollTimeoutMs how long one poll waits; default {@value #DEFAULT_POLL_TIMEOUT_MS}
 * @param maxEmptyPolls how many polls in a row may return nothing before the reader gives up on a
 *     split that has not reached its end; default {@value #DEFAULT_MAX_EMPTY_POLLS}
 * @param maxPollRecords the most records one poll buffers; default {@value #DEFAULT_MAX_POLL_RECORDS}
 */
public record KafkaSourceConfig(
        String bootstrapServers,
        String topic,
        Map<Integer, Long> startOffsets,
        Map<Integer, Long> endOffsets,
        long fromTimestampMs,
        long toTimestampMs,
        Map<String, String> clientProperties,
        long pollTimeoutMs,
        int maxEmptyPolls,
        int maxPollRecords) {

    public static final long DEFAULT_POLL_TIMEOUT_MS = 1000;
    public static final int DEFAULT_MAX_EMPTY_POLLS = 120;
    public static final int DEFAULT_MAX_POLL_RECORDS = 2000;

    /** Properties the source sets itself; {@link #clientProperties} may not override them. */
    static final Set<String> RESERVED = Set.of("isolation.level", "auto.offset.reset", "enable.auto.commit",
            "group.id", "key.deserializer", "value.deserializer", "bootstrap.servers", "max.poll.records");

    public KafkaSourceConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("a Kafka source needs bootstrap servers");
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a Kafka source needs a topic");
        }
        startOffsets = Map.copyOf(startOffsets);
        endOffsets = Map.copyOf(endOffsets);
        clientProperties = Map.copyOf(clientProperties);
        for (Map.Entry<Integer, Long> e : startOffsets.entrySet()) {
            if (e.getKey() < 0 || e.getValue() < 0) {
                throw new IllegalArgumentException("start offsets must be 0 or more, of partitions 0 or more: " + e);
            }
        }
        for (Map.Entry<Integer, Long> e : endOffsets.entrySet()) {
            if (e.getKey() < 0 || e.getValue() < 0) {
                throw new IllegalArgumentException("end offsets must be 0 or more, of partitions 0 or more: " + e);
            }
            Long start = startOffsets.get(e.getKey());
            if (start != null && start > e.getValue()) {
                throw new IllegalArgumentException("partition " + e.getKey() + ": start offset " + start
                        + " is after end offset " + e.getValue());
            }
        }
        if (fromTimestampMs < -1 || toTimestampMs < -1) {
            throw new IllegalArgumentException("timestamps must be -1 (none) or more: " + fromTimestampMs + ", " + toTimestampMs);
        }
        if (toTimestampMs >= 0 && fromTimestampMs > toTimestampMs) {
            throw new IllegalArgumentException("timestamp range starts after it ends: " + fromTimestampMs + " > " + toTimestampMs);
        }
        if (hasTimestamps(fromTimestampMs, toTimestampMs) && !(startOffsets.isEmpty() && endOffsets.isEmpty())) {
            throw new IllegalArgumentException("a Kafka source reads an offset range or a timestamp range, not both");
        }
        for (String key : clientProperties.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("the Kafka source sets '" + key + "' itself");
            }
        }
        if (pollTimeoutMs < 1) {
            throw new IllegalArgumentException("pollTimeoutMs must be at least 1: " + pollTimeoutMs);
        }
        if (maxEmptyPolls < 1) {
            throw new IllegalArgumentException("maxEmptyPolls must be at least 1: " + maxEmptyPolls);
        }
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("maxPollRecords must be at least 1: " + maxPollRecords);
        }
    }

    private static boolean hasTimestamps(long from, long to) {
        return from >= 0 || to >= 0;
    }

    /** Whether this source reads a timestamp range. */
    public boolean timestampRange() {
        return hasTimestamps(fromTimestampMs, toTimestampMs);
    }

    /** All of {@code topic}, from the log start to the end at planning. */
    public static KafkaSourceConfig of(String bootstrapServers, String topic) {
        return new KafkaSourceConfig(bootstrapServers, topic, Map.of(), Map.of(), -1, -1, Map.of(),
                DEFAULT_POLL_TIMEOUT_MS, DEFAULT_MAX_EMPTY_POLLS, DEFAULT_MAX_POLL_RECORDS);
    }

    /** An offset range per partition; see the class comment for partitions not named. */
    public KafkaSourceConfig withOffsets(Map<Integer, Long> start, Map<Integer, Long> end) {
        return new KafkaSourceConfig(bootstrapServers, topic, start, end, fromTimestampMs, toTimestampMs,
                clientProperties, pollTimeoutMs, maxEmptyPolls, maxPollRecords);
    }

    /** Records with {@code fromMs <= timestamp < toMs}; {@code toMs} -1 reads to the end at planning. */
    public KafkaSourceConfig withTimestamps(long fromMs, long toMs) {
        return new KafkaSourceConfig(bootstrapServers, topic, startOffsets, endOffsets, fromMs, toMs,
                clientProperties, pollTimeoutMs, maxEmptyPolls, maxPollRecords);
    }

    public KafkaSourceConfig withClientProperties(Map<String, String> value) {
        return new KafkaSourceConfig(bootstrapServers, topic, startOffsets, endOffsets, fromTimestampMs,
                toTimestampMs, value, pollTimeoutMs, maxEmptyPolls, maxPollRecords);
    }

    public KafkaSourceConfig withPolling(long timeoutMs, int maxEmpty, int maxRecords) {
        return new KafkaSourceConfig(bootstrapServers, topic, startOffsets, endOffsets, fromTimestampMs,
                toTimestampMs, clientProperties, timeoutMs, maxEmpty, maxRecords);
    }
}
