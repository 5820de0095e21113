package io.drover.master;

import io.drover.api.Envelopes;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.SnapshotCompleted;
import io.drover.api.protocol.SnapshotPointer;
import io.drover.api.protocol.SnapshotStarted;
import io.drover.master.state.MasterState;
import io.drover.master.state.StateEntities;
import io.drover.master.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The master's side of drover.master-log: the transactional producer that commits a batch (its
 * log records, its outputs, its input positions) or a snapshot, and the reading of the log back
 * into a state. All masters share one transactional id, so {@link #open()} fences any other.
 * Used by the master's thread only.
 */
final class MasterLog implements AutoCloseable {
    /** Largest master-log record written; a bigger batch is split over several in one transaction. */
    static final int MAX_LOG_RECORD_BYTES = 512 * 1024;
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(10);
    /** While reading back, RocksDB is written every this many records rather than after each. */
    private static final int PERSIST_EVERY_RECORDS = 1_000;
    private static final byte[] SNAPSHOT_KEY = "latest".getBytes(StandardCharsets.UTF_8);
    private static final TopicPartition LOG = new TopicPartition(Topics.MASTER_LOG, 0);
    private static final TopicPartition POINTERS = new TopicPartition(Topics.MASTER_SNAPSHOTS, 0);

    /** What a commit wrote: the offset of its last log record and how many records it took. */
    record Committed(long lastOffset, int records, MasterLogRecord last) {}

    /** What reading the log back did. */
    record CatchUp(int applied, long end, int sinceSnapshot) {}

    private final MasterConfig config;
    private final Clock clock;
    private KafkaProducer<byte[], byte[]> producer;

    MasterLog(MasterConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * A new transactional producer: fences any other master with the shared transactional id and
     * aborts this master's own open transaction, if any, so that the log's end is final.
     */
    void open() {
        close();
        Properties pp = KafkaClients.producerProps(config.bootstrap(), config.masterId());
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
        // The first transactional producer of a cluster makes Kafka create its transaction log,
        // which can take a while on a small machine.
        pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        producer = KafkaClients.producer(pp);
        producer.initTransactions();
    }

    /** Commits events (as log records, the positions on the last) and outputs in one transaction. */
    Committed commit(long epoch, List<Object> events, Map<String, Long> positions, List<ProducerRecord<byte[], byte[]>> outputs) {
        List<MasterLogRecord> records = records(epoch, events, positions);
        producer.beginTransaction();
        List<Future<RecordMetadata>> logged = send(records);
        outputs.forEach(producer::send);
        producer.commitTransaction();
        return new Committed(offsetOf(logged.get(logged.size() - 1)), records.size(), records.get(records.size() - 1));
    }

    /**
     * Writes the whole state as a snapshot (SnapshotStarted, every entity, SnapshotCompleted,
     * the positions on the last record) and points drover.master-snapshots at its start, in one
     * transaction.
     */
    Committed snapshot(long epoch, MasterState state, Map<String, Long> positions, String snapshotId) {
        List<Object> events = new ArrayList<>();
        long entities = StateEntities.count(state);
        events.add(SnapshotStarted.newBuilder().setSnapshotId(snapshotId).setEpoch(epoch).setEntities(entities).build());
        events.addAll(StateEntities.all(state));
        events.add(SnapshotCompleted.newBuilder().setSnapshotId(snapshotId).build());
        List<MasterLogRecord> records = records(epoch, events, positions);
        producer.beginTransaction();
        List<Future<RecordMetadata>> logged = send(records);
        SnapshotPointer pointer = SnapshotPointer.newBuilder()
                .setHeader(Envelopes.header("master", epoch, clock))
                .setSnapshotId(snapshotId).setLogOffset(offsetOf(logged.get(0))).setEntities(entities).build();
        producer.send(new ProducerRecord<>(Topics.MASTER_SNAPSHOTS, 0, SNAPSHOT_KEY, Codecs.SNAPSHOT_POINTER.encode(pointer)));
        producer.commitTransaction();
        return new Committed(offsetOf(logged.get(logged.size() - 1)), records.size(), records.get(records.size() - 1));
    }

    /**
     * Applies the log from {@code from} to its end to {@code state}, writing each record's effect
     * to the store as it goes.
     *
     * @param undecodable gets each record that is not a MasterLogRecord (it is skipped)
     * @throws Master.StateAheadOfLog when {@code from} is past the log's end (the log was deleted)
     */
    CatchUp catchUp(MasterState state, StateStore store, long from, Consumer<ConsumerRecord<byte[], byte[]>> undecodable) {
        try (KafkaConsumer<byte[], byte[]> log = KafkaClients.consumer(
                KafkaClients.consumerProps(config.bootstrap(), config.masterId() + "-log"))) {
            log.assign(List.of(LOG));
            log.seek(LOG, from);
            long end = log.endOffsets(List.of(LOG)).get(LOG);
            if (from > end) {
                throw new Master.StateAheadOfLog("the master's state in " + config.dataDir() + " is ahead of " + Topics.MASTER_LOG
                        + " (applied up to offset " + from + ", the log ends at " + end + "): the log was deleted or"
                        + " truncated; remove that directory to rebuild from what the log holds");
            }
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            int applied = 0;
            int sinceSnapshot = 0;
            int unpersisted = 0;
            long next = from;
            while (log.position(LOG) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the master log to its end within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : log.poll(Duration.ofMillis(200))) {
                    try {
                        MasterLogRecord record = Codecs.MASTER_LOG_RECORD.decode(r.value());
                        state.replay(record);
                        applied++;
                        sinceSnapshot = record.getEvents().stream().anyMatch(e -> e instanceof SnapshotCompleted) ? 0 : sinceSnapshot + 1;
                    } catch (DecodeException e) {
                        undecodable.accept(r);
                    }
                    next = r.offset() + 1;
                    if (++unpersisted >= PERSIST_EVERY_RECORDS) {
                        // The store equals the log up to the offset it holds, whenever it is written.
                        store.persist(state, next);
                        unpersisted = 0;
                    }
                }
            }
            if (unpersisted > 0) {
                store.persist(state, next);
            }
            return new CatchUp(applied, end, sinceSnapshot);
        }
    }

    /**
     * Follows the log as a standby: applies every record to {@code state} (and the store) as it
     * comes, until the log has had nothing new for {@code silenceMs} (judged by the last record's
     * timestamp when the log is read to its end at start, by this master's clock after).
     *
     * @return true when the active master fell silent, false when {@code stop} said to stop
     */
    boolean follow(MasterState state, StateStore store, long from, Consumer<ConsumerRecord<byte[], byte[]>> undecodable,
            long silenceMs, Clock clock, java.util.function.BooleanSupplier stop) {
        try (KafkaConsumer<byte[], byte[]> log = KafkaClients.consumer(
                KafkaClients.consumerProps(config.bootstrap(), config.masterId() + "-standby"))) {
            log.assign(List.of(LOG));
            log.seek(LOG, from);
            long end = log.endOffsets(List.of(LOG)).get(LOG);
            if (from > end) {
                throw new Master.StateAheadOfLog("the master's state in " + config.dataDir() + " is ahead of " + Topics.MASTER_LOG
                        + " (applied up to offset " + from + ", the log ends at " + end + "): the log was deleted or"
                        + " truncated; remove that directory to rebuild from what the log holds");
            }
            long lastActivityMs = Long.MIN_VALUE / 2;
            boolean caughtUp = from >= end;
            long nextEndCheckMs = 0;
            while (!stop.getAsBoolean()) {
                var records = log.poll(Duration.ofMillis(100));
                long now = clock.millis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    try {
                        MasterLogRecord record = Codecs.MASTER_LOG_RECORD.decode(r.value());
                        state.replay(record);
                        // While catching up, a record's age is its own timestamp's; once caught up,
                        // a new record means the active master is alive now.
                        lastActivityMs = caughtUp ? now : Math.max(lastActivityMs, record.getHeader().getTimestampMs());
                    } catch (DecodeException e) {
                        undecodable.accept(r);
                    }
                }
                if (!records.isEmpty()) {
                    store.persist(state, log.position(LOG));
                }
                if (!caughtUp && now >= nextEndCheckMs) {
                    caughtUp = log.position(LOG) >= log.endOffsets(List.of(LOG)).get(LOG);
                    nextEndCheckMs = now + 500;
                }
                if (caughtUp && now - lastActivityMs > silenceMs) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The log offset where the latest snapshot starts, or null when there is none. */
    Long latestSnapshotOffset(Consumer<ConsumerRecord<byte[], byte[]>> undecodable) {
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(
                KafkaClients.consumerProps(config.bootstrap(), config.masterId() + "-snapshots"))) {
            c.assign(List.of(POINTERS));
            c.seekToBeginning(List.of(POINTERS));
            long end = c.endOffsets(List.of(POINTERS)).get(POINTERS);
            Long offset = null;
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (c.position(POINTERS) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        offset = Codecs.SNAPSHOT_POINTER.decode(r.value()).getLogOffset();
                    } catch (DecodeException e) {
                        undecodable.accept(r);
                    }
                }
            }
            return offset;
        }
    }

    private List<Future<RecordMetadata>> send(List<MasterLogRecord> records) {
        List<Future<RecordMetadata>> logged = new ArrayList<>();
        for (MasterLogRecord record : records) {
            logged.add(producer.send(new ProducerRecord<>(Topics.MASTER_LOG, 0, null, Codecs.MASTER_LOG_RECORD.encode(record))));
        }
        return logged;
    }

    /**
     * Events as log records of at most {@link #MAX_LOG_RECORD_BYTES} each (Kafka refuses records
     * over 1 MiB by default), in order, the input positions on the last. They go out in one
     * transaction, so a reader sees all of them or none.
     */
    List<MasterLogRecord> records(long epoch, List<Object> events, Map<String, Long> positions) {
        List<MasterLogRecord> records = new ArrayList<>();
        split(epoch, new ArrayList<>(events), records);
        MasterLogRecord last = records.remove(records.size() - 1);
        records.add(MasterLogRecord.newBuilder(last).setInputPositions(positions).build());
        return records;
    }

    private void split(long epoch, List<Object> events, List<MasterLogRecord> out) {
        MasterLogRecord record = MasterLogRecord.newBuilder()
                .setHeader(Envelopes.header("master", epoch, clock))
                .setEvents(events)
                .setInputPositions(Map.of())
                .build();
        if (events.size() <= 1 || Codecs.MASTER_LOG_RECORD.encode(record).length <= MAX_LOG_RECORD_BYTES) {
            out.add(record);
            return;
        }
        int half = events.size() / 2;
        split(epoch, new ArrayList<>(events.subList(0, half)), out);
        split(epoch, new ArrayList<>(events.subList(half, events.size())), out);
    }

    private static long offsetOf(Future<RecordMetadata> sent) {
        try {
            return sent.get().offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to the master log", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("writing to the master log failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException ignored) {
                // closing a broken producer: nothing more to do
            }
            producer = null;
        }
    }
}
