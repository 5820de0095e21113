package io.drover.api.kafka;

import io.drover.api.Envelopes;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.protocol.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a consumer does with a message it cannot decode: log it, count it, and copy it to
 * drover.dead-letters, so that it is skipped but never silently lost. The caller sends the
 * returned record with its own producer (inside its transaction, if it has one).
 */
public final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_COPIED_BYTES = 512 * 1024;

    private final String principal;
    private final Clock clock;
    private final AtomicLong count = new AtomicLong();

    public DeadLetters(String principal, Clock clock) {
        this.principal = principal;
        this.clock = clock;
    }

    /** Logs and counts the bad message and returns the dead letter to send. */
    public ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> bad, String error) {
        long n = count.incrementAndGet();
        LOG.warn("skipping undecodable message {}-{}@{} (dead letter #{}): {}",
                bad.topic(), bad.partition(), bad.offset(), n, error);
        DeadLetter letter = DeadLetter.newBuilder()
                .setHeader(Envelopes.header(principal, clock))
                .setSourceTopic(bad.topic())
                .setSourcePartition(bad.partition())
                .setSourceOffset(bad.offset())
                .setError(error)
                .setKey(truncated(bad.key()))
                .setValue(truncated(bad.value()))
                .build();
        return new ProducerRecord<>(Topics.DEAD_LETTERS, Codecs.DEAD_LETTER.encode(letter));
    }

    /** How many messages were skipped since start. */
    public long count() {
        return count.get();
    }

    private static ByteBuffer truncated(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        return ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_COPIED_BYTES)).slice();
    }
}
