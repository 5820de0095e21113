package io.drover.job.service;

import io.drover.api.Envelopes;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.codec.ProtocolTrust;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.JobEventKind;
import io.drover.api.protocol.JobState;
import io.drover.api.protocol.JobSubmission;
import io.drover.api.protocol.StageProgress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code drover.jobs} topic, as the job service and the CLI use it: JobEvents keyed by job id
 * (so one job's events keep their order in one partition), read by assigning every partition.
 * Submissions and kill requests go in as SUBMIT and KILL events; the service answers with STATE and
 * PROGRESS events. The topic keeps 90 days, so {@code drover job list} and a restarted service see
 * the history.
 */
public final class JobsTopic implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobsTopic.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private final String principal;
    private final Clock clock;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;

    /**
     * Connects and assigns every partition of the topic, positioned at the beginning.
     *
     * @throws IllegalStateException when the topic does not exist within 30 s (no master ever ran
     *     on this Kafka, which creates it)
     */
    public JobsTopic(String bootstrap, String clientId, String principal, Clock clock) {
        ProtocolTrust.ensure();
        this.principal = principal;
        this.clock = clock;
        this.producer = KafkaClients.producer(KafkaClients.producerProps(bootstrap, clientId));
        this.consumer = KafkaClients.consumer(KafkaClients.consumerProps(bootstrap, clientId));
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.JOBS, METADATA_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.JOBS + " does not exist on " + bootstrap
                        + " (is a Drover master running there?)");
            }
            partitions = infos.stream().map(i -> new TopicPartition(Topics.JOBS, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } catch (RuntimeException e) {
            close();
            throw e instanceof IllegalStateException ? e
                    : new IllegalStateException("cannot read " + Topics.JOBS + " at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    /** Positions the reader at the current end: only events written from now on are read. */
    public void seekToEnd() {
        consumer.seekToEnd(partitions);
        for (TopicPartition p : partitions) {
            consumer.position(p);
        }
    }

    /** Reads everything written so far (from the current position to the end offsets). */
    public List<JobEvent> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<JobEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + METADATA_TIMEOUT.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + Topics.JOBS + " to its end within 30 s");
            }
            events.addAll(poll(Duration.ofMillis(100)));
        }
        return events;
    }

    /** Events written since the last read; waits at most {@code timeout} for the first. */
    public List<JobEvent> poll(Duration timeout) {
        List<JobEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            try {
                events.add(Codecs.JOB_EVENT.decode(r.value()));
            } catch (DecodeException e) {
                LOG.warn("skipping an undecodable record at {}-{} offset {}: {}", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
        return events;
    }

    /**
     * Writes an event and waits for it to be stored.
     *
     * @throws IllegalStateException when Kafka does not take it within 15 s
     */
    public void send(JobEvent event) {
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS, event.getJobId().getBytes(StandardCharsets.UTF_8),
                    Codecs.JOB_EVENT.encode(event))).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing to " + Topics.JOBS, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write to " + Topics.JOBS + ": " + e, e);
        }
    }

    /** A new event with this writer's envelope; {@code stages} and {@code submission} may be empty/null. */
    public JobEvent event(String jobId, String name, JobEventKind kind, JobState state, String message,
            JobSubmission submission, List<StageProgress> stages, long elapsedMs, String output) {
        return JobEvent.newBuilder()
                .setHeader(Envelopes.header(principal, clock))
                .setJobId(jobId)
                .setName(name)
                .setKind(kind)
                .setState(state)
                .setMessage(message == null ? "" : message)
                .setSubmission(submission)
                .setStages(stages == null ? List.of() : stages)
                .setElapsedMs(elapsedMs)
                .setOutput(output == null ? "" : output)
                .build();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }
}
