package io.drover.connectors.kafka;

import io.drover.connectors.Reader;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the offsets {@code [start, end)} of one partition with {@code read_committed}, keeping at
 * most one poll's records ({@code maxPollRecords}) in memory. Records of aborted transactions and
 * transaction markers occupy offsets but are never returned, so a split may return fewer records
 * than its offset range is long. A range that retention has deleted fails; so does a split that
 * stops making progress for {@code maxEmptyPolls} polls in a row.
 */
final class KafkaPartitionReader implements Reader<KafkaRecord> {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition tp;
    private final long end;
    private final long fromMs;
    private final long toMs;
    private final Duration pollTimeout;
    private final int maxEmptyPolls;
    private Iterator<ConsumerRecord<byte[], byte[]>> buffered = List.<ConsumerRecord<byte[], byte[]>>of().iterator();
    private KafkaRecord current;
    private boolean done;
    private boolean closed;

    KafkaPartitionReader(KafkaSourceConfig config, TopicPartition tp, long start, long end, long fromMs, long toMs)
            throws IOException {
        this.tp = tp;
        this.end = end;
        this.fromMs = fromMs;
        this.toMs = toMs;
        this.pollTimeout = Duration.ofMillis(config.pollTimeoutMs());
        this.maxEmptyPolls = config.maxEmptyPolls();
        try {
            this.consumer = KafkaSource.consumer(config, "drover-source-" + tp + "@" + start);
        } catch (KafkaException e) {
            throw new IOException(tp + ": cannot create a Kafka consumer: " + e.getMessage(), e);
        }
        try {
            consumer.assign(List.of(tp));
            consumer.seek(tp, start);
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            throw new IOException(tp + ": cannot start reading at offset " + start + ": " + e.getMessage(), e);
        }
        done = start >= end;
    }

    @Override
    public boolean next() throws IOException {
        current = null;
        while (!done) {
            if (buffered.hasNext()) {
                ConsumerRecord<byte[], byte[]> r = buffered.next();
                if (r.offset() >= end) {
                    done = true;
                    break;
                }
                if (inTimeRange(r.timestamp())) {
                    current = new KafkaRecord(r.topic(), r.partition(), r.offset(), Math.max(-1, r.timestamp()),
                            r.key(), r.value());
                    return true;
                }
                continue;
            }
            poll();
        }
        return false;
    }

    private boolean inTimeRange(long timestamp) {
        return (fromMs < 0 || timestamp >= fromMs) && (toMs < 0 || timestamp < toMs);
    }

    /** Fills the buffer, or ends the split when the position has reached its end. */
    private void poll() throws IOException {
        for (int empty = 0; empty < maxEmptyPolls; empty++) {
            long position;
            ConsumerRecords<byte[], byte[]> records;
            try {
                // Aborted records and transaction markers move the position without yielding records.
                position = consumer.position(tp, pollTimeout.multipliedBy(10));
                if (position >= end) {
                    done = true;
                    return;
                }
                records = consumer.poll(pollTimeout);
            } catch (OffsetOutOfRangeException e) {
                throw new IOException(tp + ": offsets up to " + end + " are no longer on the broker (deleted by "
                        + "retention?): " + e.getMessage(), e);
            } catch (KafkaException e) {
                throw new IOException(tp + ": reading before offset " + end + " failed: " + e.getMessage(), e);
            }
            if (!records.isEmpty()) {
                buffered = records.records(tp).iterator();
                return;
            }
        }
        throw new IOException(tp + ": no progress in " + maxEmptyPolls + " polls of " + pollTimeout.toMillis()
                + " ms, before reaching offset " + end);
    }

    @Override
    public KafkaRecord current() {
        if (current == null) {
            throw new IllegalStateException("no current record: call next() and check that it returned true");
        }
        return current;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            done = true;
            current = null;
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
