package io.drover.benchmarks;

import io.drover.api.Envelopes;
import io.drover.api.ResourceMath;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.kafka.TopicSetup;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.MasterElected;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.OfferEndCause;
import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.OfferRemoved;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskRemoved;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusChanged;
import io.drover.broker.EmbeddedKafka;
import io.drover.master.Master;
import io.drover.master.MasterConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How long a master takes to recover as its log grows: a real broker, a master log of N records
 * written the way a busy master writes it (1,000 agents, 10 frameworks, tasks coming and going),
 * then the time from start to active for a master (a) with no local state and no snapshot, which
 * replays the whole log, (b) with no local state but a snapshot near the log's end, and (c) with
 * its RocksDB state, which replays only what it lacks. Prints a table and writes it to
 * benchmarks/results/recovery-DATE.md.
 *
 * <p>Arguments: record counts, default 10000 50000 100000.
 */
public final class RecoveryBench {
    private static final int AGENTS = 1_000;
    private static final int FRAMEWORKS = 10;

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10_000, 50_000, 100_000);
        }
        StringBuilder table = new StringBuilder();
        table.append("| log records | log MB | full replay (no local state, no snapshot) | from the latest snapshot (no local state) | from RocksDB |\n");
        table.append("|---:|---:|---:|---:|---:|\n");
        for (int records : sizes) {
            Path dir = Files.createTempDirectory("drover-recovery-");
            try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
                long bytes = writeLog(kafka.bootstrap(), records);
                Path masterDir = dir.resolve("master");
                long full = timeToActive(kafka, masterDir, "full", true);
                // That master wrote a snapshot at its first commit (it had replayed far more than
                // the interval); a master without local state starts there now.
                deleteTree(masterDir);
                long fromSnapshot = timeToActive(kafka, masterDir, "snapshot", false);
                long fromRocks = timeToActive(kafka, masterDir, "rocksdb", false);
                String row = String.format("| %,d | %.1f | %,d ms | %,d ms | %,d ms |%n", records, bytes / 1e6, full, fromSnapshot, fromRocks);
                System.out.print(row);
                table.append(row);
            } finally {
                deleteTree(dir);
            }
        }
        String report = "# Master recovery time (" + LocalDate.now() + ")\n\n"
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + ManagementFactory.getOperatingSystemMXBean().getArch() + ", JVM " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB; a single-node broker on the same machine.\n\n"
                + "Start of a master to active (takeover included: fencing, reading the log, the election record), with "
                + AGENTS + " agents and " + FRAMEWORKS + " frameworks in the state and tasks coming and going in the log.\n\n"
                + table + "\nRun: `java -cp 'benchmarks/target/drover-benchmarks.jar:benchmarks/target/lib/*' "
                + "io.drover.benchmarks.RecoveryBench [records...]`\n";
        Path results = Path.of("benchmarks", "results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("recovery-" + LocalDate.now() + ".md"), report);
        System.out.println(report);
    }

    private static long timeToActive(EmbeddedKafka kafka, Path masterDir, String id, boolean awaitSnapshot)
            throws InterruptedException {
        MasterConfig config = MasterConfig.defaults(kafka.bootstrap(), masterDir).withMasterId("bench-" + id).withHttpListen("")
                .toBuilder().agentTimeoutMs(3_600_000).agentGoneTimeoutMs(7_200_000).frameworkHeartbeatIntervalMs(600_000).build();
        long start = System.nanoTime();
        Master master = new Master(config, Clock.systemUTC());
        master.start();
        if (!master.awaitActive(Duration.ofMinutes(10))) {
            throw new IllegalStateException("the master did not become active");
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (awaitSnapshot && !snapshotWritten(kafka.bootstrap()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        master.close();
        master.awaitStopped();
        return ms;
    }

    private static boolean snapshotWritten(String bootstrap) {
        try (var consumer = KafkaClients.consumer(KafkaClients.consumerProps(bootstrap, "recovery-bench"))) {
            var tp = new org.apache.kafka.common.TopicPartition(Topics.MASTER_SNAPSHOTS, 0);
            return consumer.endOffsets(List.of(tp)).get(tp) > 0;
        }
    }

    /** Writes a master log of {@code records} records; returns its size in bytes. */
    private static long writeLog(String bootstrap, int records) {
        try (TopicSetup topics = new TopicSetup(bootstrap)) {
            topics.ensureFixedTopics();
        }
        Properties p = KafkaClients.producerProps(bootstrap, "recovery-bench");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, MasterConfig.DEFAULT_TRANSACTIONAL_ID);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        long bytes = 0;
        Clock clock = Clock.systemUTC();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            List<Object> setup = new ArrayList<>();
            setup.add(MasterElected.newBuilder().setEpoch(1).setMasterId("writer").build());
            for (int a = 0; a < AGENTS; a++) {
                setup.add(AgentAdded.newBuilder().setAgentId("agent-" + a).setHostname("host-" + a)
                        .setTotal(ResourceMath.of(32, 131_072, 1_000_000, 0)).setCommandPartition(a % 8).setRegisteredAtMs(1).build());
            }
            for (int f = 0; f < FRAMEWORKS; f++) {
                setup.add(FrameworkAdded.newBuilder().setFrameworkId("fw-" + f).setName("fw-" + f).setUser("u").setRole("*")
                        .setPrincipal("p").setFailoverTimeoutMs(0).setSubscribedAtMs(1).build());
            }
            bytes += send(producer, record(setup, clock));
            long task = 0;
            for (int r = 1; r < records; r++) {
                // One batch as a busy master writes it: an offer made and accepted, a task added,
                // an earlier task finishing and being forgotten.
                String agent = "agent-" + (r % AGENTS);
                String fw = "fw-" + (r % FRAMEWORKS);
                String offerId = "o-1-" + r;
                String taskId = "t-" + task++;
                List<Object> events = new ArrayList<>();
                events.add(OfferMade.newBuilder().setOffer(Offer.newBuilder().setOfferId(offerId).setFrameworkId(fw).setAgentId(agent)
                        .setHostname("h").setResources(ResourceMath.of(4, 8192, 0, 0)).setExpiresAtMs(Long.MAX_VALUE).build()).build());
                events.add(OfferRemoved.newBuilder().setOfferId(offerId).setCause(OfferEndCause.ACCEPTED).build());
                events.add(TaskAdded.newBuilder().setFrameworkId(fw).setTask(TaskInfo.newBuilder().setTaskId(taskId).setName(taskId)
                        .setAgentId(agent).setResources(ResourceMath.of(1, 1024, 0, 0))
                        .setCommand(CommandInfo.newBuilder().setArguments(List.of("sh", "-c", "work " + r)).build()).build()).build());
                if (task > 2_000) {
                    String old = "t-" + (task - 2_000);
                    String oldFw = "fw-" + ((r - 2_000 + FRAMEWORKS * 1_000_000) % FRAMEWORKS);
                    events.add(TaskStatusChanged.newBuilder().setStatus(TaskStatus.newBuilder().setTaskId(old).setFrameworkId(oldFw)
                            .setAgentId("").setState(TaskState.FINISHED).setTimestampMs(1).setUpdateId("u-" + old).build()).build());
                    events.add(TaskRemoved.newBuilder().setFrameworkId(oldFw).setTaskId(old).build());
                }
                bytes += send(producer, record(events, clock));
                if (r % 5_000 == 0) {
                    producer.commitTransaction();
                    producer.beginTransaction();
                }
            }
            producer.commitTransaction();
        }
        return bytes;
    }

    private static MasterLogRecord record(List<Object> events, Clock clock) {
        return MasterLogRecord.newBuilder().setHeader(Envelopes.header("master", 1, clock)).setEvents(events)
                .setInputPositions(Map.of()).build();
    }

    private static long send(KafkaProducer<byte[], byte[]> producer, MasterLogRecord record) {
        byte[] value = Codecs.MASTER_LOG_RECORD.encode(record);
        producer.send(new ProducerRecord<>(Topics.MASTER_LOG, 0, null, value));
        return value.length;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private RecoveryBench() {}
}
