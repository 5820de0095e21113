package io.drover.agent;

import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.protocol.AgentCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's partition of drover.agent-commands, read with {@code assign()} (no consumer group)
 * from a position kept in the work directory. Commands for other agents sharing the partition
 * are skipped; undecodable records are handed back with their error for the dead-letter topic.
 *
 * <p>Any other thread may call {@link Consumer#wakeup()} to cut a {@link #poll} short; the other
 * blocking calls here retry through such wake-ups unless the agent is stopping. Owned by the loop
 * thread.
 */
final class CommandChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandChannel.class);

    /** A record read: either a decoded command for this agent, or an undecodable record and why. */
    record Received(ConsumerRecord<byte[], byte[]> record, AgentCommand command, String error) {
        boolean decoded() {
            return command != null;
        }
    }

    /** Thrown out of a blocking call that a wake-up cut short while the agent is stopping. */
    static final class Stopping extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopping() {
            super("agent is stopping", null, false, false);
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final WorkDir workDir;
    private final String agentId;
    private final BooleanSupplier stopping;
    private TopicPartition partition;
    private long registrationFloor;
    private long skippedForOthers;

    CommandChannel(Consumer<byte[], byte[]> consumer, WorkDir workDir, String agentId, BooleanSupplier stopping) {
        this.consumer = consumer;
        this.workDir = workDir;
        this.agentId = agentId;
        this.stopping = stopping;
    }

    /**
     * Assigns the partition stored in the work directory at its stored offset; on a first start,
     * {@code defaultPartition} at its current end, so that only commands written from now on are
     * read (the answer to the RegisterAgent sent next among them). Either way it records the end
     * offset as the {@link #registrationFloor()}.
     */
    void open(int defaultPartition) {
        var stored = workDir.readPosition();
        if (stored.isPresent()) {
            partition = new TopicPartition(Topics.AGENT_COMMANDS, stored.get().partition());
            consumer.assign(List.of(partition));
            consumer.seek(partition, stored.get().offset());
            LOG.info("reading commands from {} at stored offset {}", partition, stored.get().offset());
        } else {
            partition = new TopicPartition(Topics.AGENT_COMMANDS, defaultPartition);
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            LOG.info("first start: reading commands from the end of {}", partition);
        }
        // seekToEnd is lazy; asking for the position resolves it now, before RegisterAgent goes out.
        long position = blocking(() -> consumer.position(partition));
        registrationFloor = blocking(() -> consumer.endOffsets(List.of(partition))).get(partition);
        savePosition(position);
    }

    /** The partition read now. */
    int partition() {
        return partition.partition();
    }

    /**
     * The end offset of the command partition when it was opened: an AgentRegistered below it
     * answers a registration of an earlier run of this agent, not this one.
     */
    long registrationFloor() {
        return registrationFloor;
    }

    /** Commands for other agents skipped so far. */
    long skippedForOthers() {
        return skippedForOthers;
    }

    /** Partitions of drover.agent-commands, from the cluster's metadata (0 when unknown). */
    int partitionCount() {
        List<PartitionInfo> infos = blocking(() -> consumer.partitionsFor(Topics.AGENT_COMMANDS));
        return infos == null ? 0 : infos.size();
    }

    /**
     * Waits up to {@code timeout} for records; returns at once, with nothing, when woken up.
     * Records for other agents are left out; undecodable ones come back with their error.
     */
    List<Received> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(timeout);
        } catch (WakeupException e) {
            return List.of();
        }
        List<Received> out = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            AgentCommand command;
            try {
                command = Codecs.AGENT_COMMAND.decode(r.value());
            } catch (DecodeException e) {
                out.add(new Received(r, null, e.getMessage()));
                continue;
            }
            if (!agentId.equals(command.getAgentId())) {
                skippedForOthers++;
                LOG.debug("skipping command at {}-{}@{} for agent {}", r.topic(), r.partition(), r.offset(), command.getAgentId());
                continue;
            }
            out.add(new Received(r, command, null));
        }
        return out;
    }

    /** Stores the position of the next record to read, atomically, in the work directory. */
    void savePosition() {
        // After a poll the position is known locally, so this does not block; a pending wake-up
        // must not make the agent forget the commands it just handled.
        long position;
        while (true) {
            try {
                position = consumer.position(partition);
                break;
            } catch (WakeupException e) {
                // a wake-up is one-shot: the retry goes through
            }
        }
        savePosition(position);
    }

    /**
     * Moves to another partition, as the master's AgentRegistered says. Reading starts at the
     * first record written at or after {@code sinceTimestampMs} (the time of that answer), so
     * commands the master sent to the new partition right after it are not missed; the end of
     * the partition when the broker cannot say.
     */
    void switchTo(int newPartition, long sinceTimestampMs) {
        TopicPartition next = new TopicPartition(Topics.AGENT_COMMANDS, newPartition);
        consumer.assign(List.of(next));
        Map<TopicPartition, OffsetAndTimestamp> found = blocking(() -> consumer.offsetsForTimes(Map.of(next, sinceTimestampMs)));
        OffsetAndTimestamp at = found == null ? null : found.get(next);
        if (at != null) {
            consumer.seek(next, at.offset());
        } else {
            consumer.seekToEnd(List.of(next));
        }
        partition = next;
        long position = blocking(() -> consumer.position(next));
        LOG.info("master moved this agent to {}; reading from offset {}", next, position);
        savePosition(position);
    }

    private void savePosition(long position) {
        workDir.writePosition(new WorkDir.CommandPosition(partition.partition(), position));
    }

    private <T> T blocking(Supplier<T> call) {
        while (true) {
            try {
                return call.get();
            } catch (WakeupException e) {
                if (stopping.getAsBoolean()) {
                    throw new Stopping();
                }
                // a process exit woke us; the loop drains exits after this call
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
