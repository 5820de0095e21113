package io.drover.connectors.kafka;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Configuration of a {@link KafkaSink}, validated once at construction.
 *
 * @param bootstrapServers where the cluster is, {@code host:port[,host:port...]}
 * @param topic the topic to write; it must exist
 * @param transactionalIdPrefix the start of every task's {@code transactional.id} and commit
 *     group ({@code <prefix>.<jobId>.<taskId>}); default {@value #DEFAULT_TRANSACTIONAL_ID_PREFIX}.
 *     Kafka ACLs can grant a job's principal exactly this prefix
 * @param transactionTimeoutMs the producer's {@code transaction.timeout.ms}: the longest a task
 *     attempt may keep its transaction open, from its first record to its commit, and the longest a
 *     crashed attempt that is never retried blocks {@code read_committed} readers of the topic; at
 *     most the broker's {@code transaction.max.timeout.ms} (15 minutes by default); default
 *     {@value #DEFAULT_TRANSACTION_TIMEOUT_MS}
 * @param operationTimeoutMs how long one producer or admin call (initialising, committing,
 *     checking a commit) may block; default {@value #DEFAULT_OPERATION_TIMEOUT_MS}
 * @param clientProperties extra Kafka producer and admin properties (security, batching); they
 *     cannot change what the sink's guarantee relies on
 */
public record KafkaSinkConfig(
        String bootstrapServers,
        String topic,
        String transactionalIdPrefix,
        long transactionTimeoutMs,
        long operationTimeoutMs,
        Map<String, String> clientProperties) {

    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "drover-sink";
    public static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 300_000;
    public static final long DEFAULT_OPERATION_TIMEOUT_MS = 60_000;

    static final Set<String> RESERVED = Set.of("transactional.id", "enable.idempotence", "acks",
            "transaction.timeout.ms", "key.serializer", "value.serializer", "bootstrap.servers", "max.block.ms");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    public KafkaSinkConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("a Kafka sink needs bootstrap servers");
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a Kafka sink needs a topic");
        }
        if (transactionalIdPrefix == null || !PREFIX.matcher(transactionalIdPrefix).matches()) {
            throw new IllegalArgumentException("transactionalIdPrefix must be 1 to 100 of letters, digits, '-', '_' and '.': "
                    + transactionalIdPrefix);
        }
        if (transactionTimeoutMs < 1000) {
            throw new IllegalArgumentException("transactionTimeoutMs must be at least 1000: " + transactionTimeoutMs);
        }
        if (operationTimeoutMs < 1) {
            throw new IllegalArgumentException("operationTimeoutMs must be at least 1: " + operationTimeoutMs);
        }
        clientProperties = Map.copyOf(clientProperties);
        for (String key : clientProperties.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("the Kafka sink sets '" + key + "' itself");
            }
        }
    }

    /** The defaults, writing to {@code topic}. */
    public static KafkaSinkConfig of(String bootstrapServers, String topic) {
        return new KafkaSinkConfig(bootstrapServers, topic, DEFAULT_TRANSACTIONAL_ID_PREFIX,
                DEFAULT_TRANSACTION_TIMEOUT_MS, DEFAULT_OPERATION_TIMEOUT_MS, Map.of());
    }

    public KafkaSinkConfig withTransactionalIdPrefix(String value) {
        return new KafkaSinkConfig(bootstrapServers, topic, value, transactionTimeoutMs, operationTimeoutMs,
                clientProperties);
    }

    public KafkaSinkConfig withTransactionTimeoutMs(long value) {
        return new KafkaSinkConfig(bootstrapServers, topic, transactionalIdPrefix, value, operationTimeoutMs,
                clientProperties);
    }

    public KafkaSinkConfig withOperationTimeoutMs(long value) {
        return new KafkaSinkConfig(bootstrapServers, topic, transactionalIdPrefix, transactionTimeoutMs, value,
                clientProperties);
    }

    public KafkaSinkConfig withClientProperties(Map<String, String> value) {
        return new KafkaSinkConfig(bootstrapServers, topic, transactionalIdPrefix, transactionTimeoutMs,
                operationTimeoutMs, value);
    }
}
