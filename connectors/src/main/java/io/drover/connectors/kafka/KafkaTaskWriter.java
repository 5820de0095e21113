package io.drover.connectors.kafka;

import io.drover.connectors.Writer;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Writes one task attempt's records inside its open transaction. The producer's buffer
 * ({@code buffer.memory}, 32 MiB by default) bounds what is in flight; a full buffer blocks
 * {@link #write} for at most the sink's operation timeout. The first failed send fails every later
 * call, and the attempt must then be aborted.
 */
final class KafkaTaskWriter implements Writer<KafkaRecord> {

    final String taskId;
    final int attempt;
    final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private volatile boolean closed;

    KafkaTaskWriter(String taskId, int attempt, KafkaProducer<byte[], byte[]> producer, String topic) {
        this.taskId = taskId;
        this.attempt = attempt;
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public void write(KafkaRecord record) throws IOException {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        checkSends();
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic,
                record.partition() < 0 ? null : record.partition(),
                record.timestampMs() < 0 ? null : record.timestampMs(),
                record.key(), record.value());
        try {
            producer.send(out, (metadata, e) -> {
                if (e != null) {
                    sendFailure.compareAndSet(null, e);
                }
            });
        } catch (KafkaException e) {
            throw new IOException(what() + ": send failed: " + e.getMessage(), e);
        }
    }

    private void checkSends() throws IOException {
        Exception e = sendFailure.get();
        if (e != null) {
            throw new IOException(what() + ": a send failed: " + e.getMessage(), e);
        }
    }

    boolean closed() {
        return closed;
    }

    String what() {
        return "task " + taskId + " attempt " + attempt + " writing to Kafka topic " + topic;
    }

    /** Sends everything buffered and waits for the broker's acknowledgements. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            producer.flush();
        } catch (KafkaException e) {
            throw new IOException(what() + ": flush failed: " + e.getMessage(), e);
        }
        checkSends();
    }
}
