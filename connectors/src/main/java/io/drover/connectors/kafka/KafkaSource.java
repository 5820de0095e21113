package io.drover.connectors.kafka;

import io.drover.connectors.Reader;
import io.drover.connectors.Source;
import io.drover.connectors.Split;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The records of a Kafka topic, one split per partition, read with {@code isolation.level=read_committed}:
 * records of aborted transactions are never read, and neither are records of transactions still
 * open.
 *
 * <p><b>Splits are finite.</b> {@link #splits} captures each partition's end when it plans: under
 * {@code read_committed} that is the last stable offset (LSO), the first offset of the oldest
 * transaction still open, or the high watermark when none is. A split is the offset range
 * {@code [start, end)} of one partition, so a reader stops there even while producers keep writing,
 * and a job rerun with the same offsets reads the same records. Partitions whose range is empty
 * give no split. A split prefers the host of its partition's leader.
 *
 * <p><b>Ranges</b> (see {@link KafkaSourceConfig}): the whole partition from its log start; an
 * offset range per partition; or a timestamp range, turned into offsets with
 * {@code offsetsForTimes}: the range starts at the first offset whose timestamp is at least
 * {@code fromMs} and ends at the first offset whose timestamp is at least {@code toMs} (or at the
 * end at planning). Within it, records whose timestamp lies outside {@code [fromMs, toMs)} are
 * dropped; with timestamps out of order in a partition (producer-set create times), a record with
 * an in-range timestamp that lies outside that offset range is therefore not read.
 *
 * <p>Planning fails with {@link IllegalArgumentException} if the topic or a named partition does
 * not exist, or if a configured offset lies before the log start (deleted by retention) or past the
 * end at planning.
 */
public final class KafkaSource implements Source<KafkaRecord> {

    /** The {@link Split#sourceType()} of this source's splits. */
    public static final String SOURCE_TYPE = "kafka";

    static final String TOPIC = "topic";
    static final String PARTITION = "partition";
    static final String START = "start";
    static final String END = "end";
    static final String FROM_MS = "fromMs";
    static final String TO_MS = "toMs";

    /** How long planning waits for one metadata or offsets answer. */
    static final Duration PLANNING_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaSourceConfig config;

    public KafkaSource(KafkaSourceConfig config) {
        this.config = config;
    }

    public KafkaSourceConfig config() {
        return config;
    }

    static KafkaConsumer<byte[], byte[]> consumer(KafkaSourceConfig config, String clientId) {
        Properties p = new Properties();
        p.putAll(config.clientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A range that retention deleted must fail, not silently start elsewhere.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public List<Split> splits(int desiredParallelism) throws IOException {
        if (desiredParallelism < 1) {
            throw new IllegalArgumentException("desiredParallelism must be at least 1: " + desiredParallelism);
        }
        String topic = config.topic();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(config, "drover-source-planner-" + topic)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, PLANNING_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("Kafka topic " + topic + " does not exist on " + config.bootstrapServers());
            }
            infos = infos.stream().sorted(Comparator.comparingInt(PartitionInfo::partition)).toList();
            Map<Integer, PartitionInfo> byPartition = new HashMap<>();
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : infos) {
                byPartition.put(info.partition(), info);
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            for (int named : union(config.startOffsets(), config.endOffsets())) {
                if (!byPartition.containsKey(named)) {
                    throw new IllegalArgumentException("Kafka topic " + topic + " has no partition " + named
                            + " (it has " + infos.size() + ")");
                }
            }
            Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(partitions, PLANNING_TIMEOUT);
            // Under read_committed this is the last stable offset: no split waits on an open transaction.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, PLANNING_TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> fromTimes = null;
            Map<TopicPartition, OffsetAndTimestamp> toTimes = null;
            if (config.fromTimestampMs() >= 0) {
                fromTimes = consumer.offsetsForTimes(timesFor(partitions, config.fromTimestampMs()), PLANNING_TIMEOUT);
            }
            if (config.toTimestampMs() >= 0) {
                toTimes = consumer.offsetsForTimes(timesFor(partitions, config.toTimestampMs()), PLANNING_TIMEOUT);
            }
            List<Split> splits = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                long logStart = logStarts.get(tp);
                long end = ends.get(tp);
                long from;
                long to;
                if (config.timestampRange()) {
                    from = fromTimes == null ? logStart : offsetOr(fromTimes.get(tp), end);
                    to = toTimes == null ? end : offsetOr(toTimes.get(tp), end);
                    from = Math.min(Math.max(from, logStart), end);
                    to = Math.min(Math.max(to, from), end);
                } else {
                    from = config.startOffsets().getOrDefault(tp.partition(), logStart);
                    to = config.endOffsets().getOrDefault(tp.partition(), end);
                    if (from < logStart) {
                        throw new IllegalArgumentException(tp + ": start offset " + from + " is before the log start "
                                + logStart + " (deleted by retention)");
                    }
                    if (to > end) {
                        throw new IllegalArgumentException(tp + ": end offset " + to + " is past the partition's end "
                                + end + " (its last stable offset)");
                    }
                    from = Math.min(from, to);
                }
                if (from < to) {
                    PartitionInfo info = byPartition.get(tp.partition());
                    List<String> hosts = info.leader() == null || info.leader().isEmpty()
                            ? List.of() : List.of(info.leader().host());
                    splits.add(split(tp, from, to, hosts));
                }
            }
            return List.copyOf(splits);
        } catch (KafkaException e) {
            throw new IOException("cannot plan the splits of Kafka topic " + topic + " on " + config.bootstrapServers()
                    + ": " + e.getMessage(), e);
        }
    }

    private static List<Integer> union(Map<Integer, Long> a, Map<Integer, Long> b) {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        return List.copyOf(all);
    }

    private static Map<TopicPartition, Long> timesFor(List<TopicPartition> partitions, long timestampMs) {
        Map<TopicPartition, Long> times = new HashMap<>();
        for (TopicPartition tp : partitions) {
            times.put(tp, timestampMs);
        }
        return times;
    }

    private static long offsetOr(OffsetAndTimestamp found, long otherwise) {
        return found == null ? otherwise : found.offset();
    }

    private Split split(TopicPartition tp, long start, long end, List<String> hosts) {
        return new Split(SOURCE_TYPE, tp + "@" + start, -1, hosts, Map.of(
                TOPIC, tp.topic(),
                PARTITION, Integer.toString(tp.partition()),
                START, Long.toString(start),
                END, Long.toString(end),
                FROM_MS, Long.toString(config.fromTimestampMs()),
                TO_MS, Long.toString(config.toTimestampMs())));
    }

    @Override
    public Reader<KafkaRecord> open(Split split) throws IOException {
        if (!SOURCE_TYPE.equals(split.sourceType())) {
            throw new IllegalArgumentException("not a " + SOURCE_TYPE + " split: " + split.id()
                    + " is of type " + split.sourceType());
        }
        TopicPartition tp = new TopicPartition(split.require(TOPIC), Integer.parseInt(split.require(PARTITION)));
        return new KafkaPartitionReader(config, tp, Long.parseLong(split.require(START)),
                Long.parseLong(split.require(END)), Long.parseLong(split.require(FROM_MS)),
                Long.parseLong(split.require(TO_MS)));
    }
}
