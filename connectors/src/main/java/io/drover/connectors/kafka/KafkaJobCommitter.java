package io.drover.connectors.kafka;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The per-task transactions of a {@link KafkaSink}; see there for the protocol and the guarantee. */
final class KafkaJobCommitter implements JobCommitter<KafkaRecord> {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

    private final KafkaSinkConfig config;
    private final String jobId;
    private final Admin admin;
    private final Duration timeout;
    /** The writers of attempts not yet committed or aborted, by task id and attempt. */
    private final Map<String, KafkaTaskWriter> open = new ConcurrentHashMap<>();
    private volatile boolean ended;

    private KafkaJobCommitter(KafkaSinkConfig config, String jobId, Admin admin) {
        this.config = config;
        this.jobId = jobId;
        this.admin = admin;
        this.timeout = Duration.ofMillis(config.operationTimeoutMs());
    }

    static KafkaJobCommitter begin(KafkaSinkConfig config, String jobId) throws IOException {
        checkId("job id", jobId);
        Properties p = new Properties();
        p.putAll(config.clientProperties());
        p.keySet().removeIf(k -> !AdminClientConfig.configNames().contains(k.toString()));
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, config.transactionalIdPrefix() + "." + jobId + ".admin");
        Admin admin = Admin.create(p);
        try {
            admin.describeTopics(List.of(config.topic())).allTopicNames()
                    .get(config.operationTimeoutMs(), TimeUnit.MILLISECONDS);
            return new KafkaJobCommitter(config, jobId, admin);
        } catch (ExecutionException e) {
            admin.close(Duration.ZERO);
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("Kafka topic " + config.topic() + " does not exist on "
                        + config.bootstrapServers() + "; create it before the job writes to it");
            }
            throw new IOException("cannot check Kafka topic " + config.topic() + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException | InterruptedException e) {
            admin.close(Duration.ZERO);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("Kafka at " + config.bootstrapServers() + " did not answer in "
                    + config.operationTimeoutMs() + " ms", e);
        }
    }

    private static void checkId(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " must be 1 to 200 of letters, digits, '-', '_' and '.': " + id);
        }
    }

    @Override
    public String jobId() {
        return jobId;
    }

    /** The transactional id of every attempt of the task, and the group its commit is recorded in. */
    String taskTransactionalId(String taskId) {
        return config.transactionalIdPrefix() + "." + jobId + "." + taskId;
    }

    private static String key(String taskId, int attempt) {
        return taskId + "/" + attempt;
    }

    private void checkRunning() {
        if (ended) {
            throw new IllegalStateException("job " + jobId + " has ended");
        }
    }

    @Override
    public Writer<KafkaRecord> openWriter(String taskId, int attempt) throws IOException {
        checkRunning();
        checkId("task id", taskId);
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be 0 or more: " + attempt);
        }
        String key = key(taskId, attempt);
        if (open.containsKey(key)) {
            throw new IllegalStateException("task " + taskId + " attempt " + attempt + " of job " + jobId
                    + " already has a writer");
        }
        KafkaProducer<byte[], byte[]> producer = producer(taskId, attempt);
        try {
            // Fences every earlier attempt of this task and aborts its open transaction.
            producer.initTransactions();
            producer.beginTransaction();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw new IOException("task " + taskId + " attempt " + attempt + " of job " + jobId
                    + ": cannot start a Kafka transaction: " + e.getMessage(), e);
        }
        KafkaTaskWriter writer = new KafkaTaskWriter(taskId, attempt, producer, config.topic());
        if (open.putIfAbsent(key, writer) != null) {
            producer.close(Duration.ZERO);
            throw new IllegalStateException("task " + taskId + " attempt " + attempt + " of job " + jobId
                    + " already has a writer");
        }
        return writer;
    }

    private KafkaProducer<byte[], byte[]> producer(String taskId, int attempt) {
        Properties p = new Properties();
        p.putAll(config.clientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, taskTransactionalId(taskId));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(config.transactionTimeoutMs()));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.operationTimeoutMs()));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, taskTransactionalId(taskId) + "." + attempt);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public boolean commitTask(String taskId, int attempt) throws IOException {
        checkRunning();
        KafkaTaskWriter writer = open.get(key(taskId, attempt));
        if (writer == null) {
            throw new IllegalStateException("task " + taskId + " attempt " + attempt + " of job " + jobId
                    + " has no output to commit (no writer, or already aborted or committed)");
        }
        if (!writer.closed()) {
            throw new IllegalStateException(writer.what() + ": close the writer before committing");
        }
        String group = taskTransactionalId(taskId);
        try {
            boolean committed;
            try {
                committed = committedBefore(group);
            } catch (IOException e) {
                // Undecided: abort rather than leave the transaction blocking readers until its timeout.
                abort(writer);
                throw e;
            }
            if (committed) {
                abort(writer);
                return false;
            }
            TopicPartition marker = new TopicPartition(config.topic(), 0);
            writer.producer.sendOffsetsToTransaction(
                    Map.of(marker, new OffsetAndMetadata(attempt, "drover job " + jobId + " task " + taskId
                            + " attempt " + attempt)),
                    new ConsumerGroupMetadata(group));
            writer.producer.commitTransaction();
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // A newer attempt of this task opened; the broker aborted this one's transaction.
            return false;
        } catch (KafkaException e) {
            abort(writer);
            throw new IOException(writer.what() + ": commit failed, its records are aborted: " + e.getMessage(), e);
        } finally {
            open.remove(key(taskId, attempt));
            writer.producer.close(timeout);
        }
    }

    /** Whether an attempt of the task behind {@code group} has committed (its offset is stable). */
    private boolean committedBefore(String group) throws IOException {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin
                    .listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().requireStable(true))
                    .partitionsToOffsetAndMetadata()
                    .get(config.operationTimeoutMs(), TimeUnit.MILLISECONDS);
            return offsets.values().stream().anyMatch(o -> o != null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return false;
            }
            throw new IOException("cannot read the commit record of " + group + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IOException("cannot read the commit record of " + group + " in " + config.operationTimeoutMs()
                    + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the commit record of " + group, e);
        }
    }

    private void abort(KafkaTaskWriter writer) {
        try {
            writer.producer.abortTransaction();
        } catch (KafkaException e) {
            // Fenced or failed: the broker aborts it, at once for a fenced one, else at its timeout.
        }
    }

    @Override
    public void abortTask(String taskId, int attempt) {
        KafkaTaskWriter writer = open.remove(key(taskId, attempt));
        if (writer != null) {
            abort(writer);
            writer.producer.close(timeout);
        }
    }

    /**
     * Ends the job. Committed tasks are visible already; attempts still open here are aborted.
     */
    @Override
    public synchronized void commitJob() {
        checkRunning();
        end();
    }

    /**
     * Ends the job, aborting the attempts still open here. Tasks already committed stay visible:
     * Kafka cannot take back a committed transaction.
     */
    @Override
    public synchronized void abortJob() {
        if (!ended) {
            end();
        }
    }

    private void end() {
        ended = true;
        for (KafkaTaskWriter writer : new ArrayList<>(open.values())) {
            abortTask(writer.taskId, writer.attempt);
        }
        admin.close(timeout);
    }
}
