package io.drover.cli;

import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.MasterElected;
import io.drover.api.protocol.MasterHeartbeat;
import io.drover.api.protocol.MasterLogRecord;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds the active master's HTTP address from the tail of drover.master-log: the active master
 * writes its address in every heartbeat (twice a second), so the last few records name it.
 */
final class MasterLocator {
    /** Records read back from the end of the log. */
    private static final int TAIL_RECORDS = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * The http://host:port of the master that wrote last.
     *
     * @throws IllegalStateException with a message for the user when there is none
     */
    static String locate(String bootstrap) {
        Properties props = KafkaClients.consumerProps(bootstrap, "drover-cli");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(props)) {
            TopicPartition log = new TopicPartition(Topics.MASTER_LOG, 0);
            consumer.assign(List.of(log));
            long end = consumer.endOffsets(List.of(log)).get(log);
            consumer.seek(log, Math.max(0, end - TAIL_RECORDS));
            String address = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(log) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String found = addressIn(r.value());
                    if (found != null) {
                        address = found;
                    }
                }
            }
            if (address == null || address.isEmpty()) {
                throw new IllegalStateException("no master with an HTTP address found in " + Topics.MASTER_LOG + " at "
                        + bootstrap + " (is a master running? or pass --master http://host:port)");
            }
            return "http://" + address;
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException("cannot read " + Topics.MASTER_LOG + " at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    private static String addressIn(byte[] value) {
        try {
            MasterLogRecord record = Codecs.MASTER_LOG_RECORD.decode(value);
            String address = null;
            for (Object e : record.getEvents()) {
                if (e instanceof MasterHeartbeat h) {
                    address = h.getHttpAddress();
                } else if (e instanceof MasterElected m) {
                    address = m.getHttpAddress();
                }
            }
            return address;
        } catch (DecodeException e) {
            return null;
        }
    }

    private MasterLocator() {}
}
