package io.drover.connectors.kafka;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Sink;
import java.io.IOException;

/**
 * Records into a Kafka topic, exactly once per task for {@code read_committed} consumers, even when
 * tasks fail, are retried or run twice.
 *
 * <p><b>How.</b> Every attempt of task {@code T} of job {@code J} writes inside one Kafka
 * transaction of a producer whose {@code transactional.id} is {@code <prefix>.J.T}, the same for all
 * attempts of the task:
 * <ol>
 *   <li>{@code openWriter} calls {@code initTransactions()}: the broker fences every earlier
 *       producer of that id, wherever it runs, aborts its open transaction, and completes one whose
 *       commit was under way; the new attempt then begins its transaction.
 *   <li>{@code commitTask} first reads, with {@code require_stable}, the offsets of consumer group
 *       {@code <prefix>.J.T}. If it holds one, an earlier attempt of the task has committed; this
 *       attempt aborts and returns false. Otherwise it adds an offset for that group to its
 *       transaction ({@code sendOffsetsToTransaction}, offset = attempt number) and commits: the
 *       task's records and the group's offset become visible together, atomically.
 *   <li>An attempt that was fenced by a newer one (a retry or a speculative duplicate that opened
 *       later) fails to send or commit; {@code commitTask} returns false and its records stay
 *       aborted.
 * </ol>
 * The check in step 2 cannot race: only an attempt holding the task's transactional id can commit,
 * holding it fences all others, and {@code initTransactions} has finished any commit before it.
 *
 * <p><b>The guarantee.</b> A {@code read_committed} consumer of the topic sees the records of at
 * most one attempt of every task, each record once; a failed, aborted, fenced or losing attempt's
 * records stay in the log as aborted records ({@code read_uncommitted} consumers see them).
 * Ordering within a partition follows commit order. The unit of visibility is the <em>task</em>:
 * records appear at {@code commitTask}, not at {@code commitJob}. This is weaker than the file
 * sinks: a job that commits some tasks and then aborts leaves those tasks' records visible, and a
 * reader may see some tasks of a running job before others. (Kafka can hand an open transaction
 * to another process only with two-phase commit, KIP-939, which leaves a prepared transaction
 * blocking every reader indefinitely if the job's coordinator dies; so the sink does not.)
 * {@code commitJob} and {@code abortJob} end the job and abort the attempts this committer still
 * holds open. Unlike the file sinks, the latest attempt to open wins, not the first to commit.
 *
 * <p><b>Costs and limits.</b> One producer (a network thread and a buffer) per open attempt. A
 * task attempt must commit within {@link KafkaSinkConfig#transactionTimeoutMs()}. An attempt that
 * crashes and is never retried leaves its transaction open until that timeout, and
 * {@code read_committed} readers of the partitions it wrote wait until then. The commit groups
 * hold no members and expire with the broker's {@code offsets.retention.minutes} (7 days by
 * default). The principal needs {@code Write} on the topic, {@code Write} on the transactional ids
 * and {@code Read} on the groups with the sink's prefix.
 */
public final class KafkaSink implements Sink<KafkaRecord> {

    private final KafkaSinkConfig config;

    public KafkaSink(KafkaSinkConfig config) {
        this.config = config;
    }

    /**
     * @throws IllegalStateException if the topic does not exist
     * @throws IOException if the cluster cannot be reached
     */
    @Override
    public JobCommitter<KafkaRecord> beginJob(String jobId) throws IOException {
        return KafkaJobCommitter.begin(config, jobId);
    }
}
