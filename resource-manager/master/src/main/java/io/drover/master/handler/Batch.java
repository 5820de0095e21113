package io.drover.master.handler;

import io.drover.master.state.MasterState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What one turn of the master's loop decided: the log events (applied to the state as they are
 * recorded, so later inputs of the same batch see them) and the messages to send. The loop
 * commits both in one Kafka transaction, or neither.
 */
public final class Batch {
    private final MasterState state;
    private final List<Object> events = new ArrayList<>();
    private final List<ProducerRecord<byte[], byte[]>> outputs = new ArrayList<>();

    public Batch(MasterState state) {
        this.state = state;
    }

    /** Records an event in the log and applies it to the state. */
    public void record(Object event) {
        state.apply(event);
        events.add(event);
    }

    /** Adds a message to send in the same transaction. */
    public void output(ProducerRecord<byte[], byte[]> record) {
        outputs.add(record);
    }

    public List<Object> events() {
        return Collections.unmodifiableList(events);
    }

    public List<ProducerRecord<byte[], byte[]>> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public boolean isEmpty() {
        return events.isEmpty() && outputs.isEmpty();
    }
}
