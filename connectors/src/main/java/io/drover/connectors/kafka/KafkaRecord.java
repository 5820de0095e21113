package io.drover.connectors.kafka;

/**
 * One Kafka record, as a {@link KafkaSource} reads it and a {@link KafkaSink} writes it. Key and
 * value are the raw bytes (either may be null); decoding them is the job's business.
 *
 * @param topic the topic it was read from; ignored by the sink, which writes to its own topic
 * @param partition the partition it was read from; for the sink, the partition to write to, or -1
 *     to let the producer's partitioner choose (by key hash, or spread when the key is null)
 * @param offset its offset; -1 for a record not read from Kafka, ignored by the sink
 * @param timestampMs its timestamp (create or log-append time, as the topic is configured); for
 *     the sink, the timestamp to write, or -1 for the producer's current time
 * @param key the key bytes, or null
 * @param value the value bytes, or null (a tombstone on a compacted topic)
 */
public record KafkaRecord(String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value) {

    public KafkaRecord {
        if (partition < -1 || offset < -1 || timestampMs < -1) {
            throw new IllegalArgumentException("partition, offset and timestampMs must be -1 or more: "
                    + partition + ", " + offset + ", " + timestampMs);
        }
    }

    /** A record to write: key and value, partition and timestamp left to the producer. */
    public static KafkaRecord of(byte[] key, byte[] value) {
        return new KafkaRecord(null, -1, -1, -1, key, value);
    }

    /** A record to write to {@code partition} with {@code timestampMs}. */
    public static KafkaRecord of(int partition, long timestampMs, byte[] key, byte[] value) {
        return new KafkaRecord(null, partition, -1, timestampMs, key, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaRecord r && partition == r.partition && offset == r.offset
                && timestampMs == r.timestampMs && java.util.Objects.equals(topic, r.topic)
                && java.util.Arrays.equals(key, r.key) && java.util.Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(topic, partition, offset, timestampMs, java.util.Arrays.hashCode(key),
                java.util.Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "KafkaRecord[" + topic + "-" + partition + "@" + offset + ", timestampMs=" + timestampMs
                + ", key " + (key == null ? "null" : key.length + " bytes")
                + ", value " + (value == null ? "null" : value.length + " bytes") + "]";
    }
}
