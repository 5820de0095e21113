package io.drover.agent;

import static org.awaitility.Awaitility.await;

import io.drover.api.Envelopes;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.AcknowledgeUpdate;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.AgentRegistered;
import io.drover.api.protocol.DeadLetter;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The test's stand-in for the master, for one agent: it reads what the agent writes on
 * drover.agents, drover.status and drover.dead-letters (from the beginning, keeping only what
 * concerns this agent), and writes commands to drover.agent-commands. Not thread-safe: every
 * wait polls on the calling thread.
 */
final class MasterHarness implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String agentId;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> agents;
    private final KafkaConsumer<byte[], byte[]> status;
    private final KafkaConsumer<byte[], byte[]> deadLetters;
    /** Everything the agent said on drover.agents, in order. */
    final List<AgentMessage> agentMessages = new ArrayList<>();
    /** Every task status update the agent sent, in order of arrival (resends included). */
    final List<TaskStatus> updates = new ArrayList<>();
    /** Dead letters of records on drover.agent-commands. */
    final List<DeadLetter> commandDeadLetters = new ArrayList<>();

    MasterHarness(String bootstrap, String agentId) {
        this.agentId = agentId;
        this.producer = KafkaClients.producer(KafkaClients.producerProps(bootstrap, "test-master"));
        this.agents = consumerOf(bootstrap, Topics.AGENTS);
        this.status = consumerOf(bootstrap, Topics.STATUS);
        this.deadLetters = consumerOf(bootstrap, Topics.DEAD_LETTERS);
    }

    private static KafkaConsumer<byte[], byte[]> consumerOf(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(KafkaClients.consumerProps(bootstrap, "test-master-" + topic));
        int partitions = Topics.FIXED.stream().filter(s -> s.name().equals(topic)).findFirst().orElseThrow().partitions();
        c.assign(IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList());
        c.seekToBeginning(c.assignment());
        return c;
    }

    /** Polls all three topics once, briefly, adding what concerns this agent. */
    void pollOnce() {
        for (ConsumerRecord<byte[], byte[]> r : agents.poll(Duration.ofMillis(50))) {
            AgentMessage m = decode(() -> Codecs.AGENT_MESSAGE.decode(r.value()));
            if (m.getAgentId().equals(agentId)) {
                agentMessages.add(m);
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : status.poll(Duration.ofMillis(50))) {
            StatusMessage m = decode(() -> Codecs.STATUS_MESSAGE.decode(r.value()));
            if (m.getAgentId().equals(agentId)) {
                updates.addAll(m.getUpdates());
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : deadLetters.poll(Duration.ofMillis(50))) {
            DeadLetter d = decode(() -> Codecs.DEAD_LETTER.decode(r.value()));
            if (d.getHeader().getPrincipal().equals(agentId) && d.getSourceTopic().equals(Topics.AGENT_COMMANDS)) {
                commandDeadLetters.add(d);
            }
        }
    }

    /** Polls until the condition holds. */
    void awaitUntil(String what, java.util.function.BooleanSupplier condition) {
        await(what).pollInSameThread().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    pollOnce();
                    return condition.getAsBoolean();
                });
    }

    /** The first update (resends included) matching the predicate, waiting for it. */
    TaskStatus awaitUpdate(String what, Predicate<TaskStatus> p) {
        awaitUntil(what, () -> updates.stream().anyMatch(p));
        return updates.stream().filter(p).findFirst().orElseThrow();
    }

    static Predicate<TaskStatus> update(String taskId, io.drover.api.protocol.TaskState state) {
        return s -> s.getTaskId().equals(taskId) && s.getState() == state;
    }

    long count(Predicate<TaskStatus> p) {
        return updates.stream().filter(p).count();
    }

    long countMessages(Class<?> bodyType) {
        return agentMessages.stream().filter(m -> bodyType.isInstance(m.getBody())).count();
    }

    <T> T lastMessage(Class<T> bodyType) {
        Object last = null;
        for (AgentMessage m : agentMessages) {
            if (bodyType.isInstance(m.getBody())) {
                last = m.getBody();
            }
        }
        return bodyType.cast(last);
    }

    void send(int partition, Object body) {
        AgentCommand command = AgentCommand.newBuilder()
                .setHeader(Envelopes.header("master", 1, Clock.systemUTC()))
                .setAgentId(agentId)
                .setBody(body)
                .build();
        sendRaw(partition, Codecs.AGENT_COMMAND.encode(command));
    }

    void sendForOtherAgent(int partition, String otherAgentId, Object body) {
        AgentCommand command = AgentCommand.newBuilder()
                .setHeader(Envelopes.header("master", 1, Clock.systemUTC()))
                .setAgentId(otherAgentId)
                .setBody(body)
                .build();
        sendRaw(partition, Codecs.AGENT_COMMAND.encode(command));
    }

    void sendRaw(int partition, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(Topics.AGENT_COMMANDS, partition, agentId.getBytes(StandardCharsets.UTF_8), value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    void register(int partition, int assignedPartition, long heartbeatIntervalMs) {
        send(partition, AgentRegistered.newBuilder().setCommandPartition(assignedPartition).setHeartbeatIntervalMs(heartbeatIntervalMs).build());
    }

    void ack(int partition, TaskStatus s) {
        send(partition, AcknowledgeUpdate.newBuilder().setFrameworkId(s.getFrameworkId()).setTaskId(s.getTaskId())
                .setUpdateId(s.getUpdateId()).build());
    }

    private interface Decoding<T> {
        T get() throws DecodeException;
    }

    private static <T> T decode(Decoding<T> d) {
        try {
            return d.get();
        } catch (DecodeException e) {
            throw new AssertionError("the agent wrote an undecodable message", e);
        }
    }

    @Override
    public void close() {
        agents.close();
        status.close();
        deadLetters.close();
        producer.close();
    }
}
