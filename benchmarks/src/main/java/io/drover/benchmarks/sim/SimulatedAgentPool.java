package io.drover.benchmarks.sim;

import io.drover.api.Envelopes;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.kafka.KafkaClients;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.AgentHeartbeat;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.AgentRegistered;
import io.drover.api.protocol.KillTask;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIMULATED agents, for scale and throughput benchmarks only: many agents multiplexed over one
 * Kafka producer and one consumer in this process, speaking the real agent protocol to the real
 * master over the real broker. No process runs: a launched task is reported RUNNING and, at once,
 * FINISHED (exit code 0), as a no-op task on a real agent would be; kills are answered KILLED.
 * Everything a real agent does beside the wire protocol (processes, isolation, logs, the status
 * journal, resending until acknowledged) is left out, so these figures measure the master and
 * Kafka, not agents.
 *
 * <p>One thread reads every partition of drover.agent-commands, answers, and sends heartbeats for
 * all agents at the interval the master asks for. Counters are safe to read from any thread.
 */
public final class SimulatedAgentPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedAgentPool.class);
    /** Largest StatusMessage this pool sends (the master's input limit is larger). */
    private static final int MAX_UPDATES_PER_MESSAGE = 500;

    private final String bootstrap;
    private final List<String> agentIds;
    private final Resources perAgent;
    private final Clock clock = Clock.systemUTC();
    private final long startedAtMs = System.currentTimeMillis();
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stopping;
    private final Map<String, Boolean> registered = new HashMap<>();

    /** Agents the master has answered. */
    public final AtomicLong registeredCount = new AtomicLong();
    /** Tasks launched (each reported RUNNING then FINISHED). */
    public final AtomicLong launched = new AtomicLong();
    /** Acknowledgements the master forwarded. */
    public final AtomicLong acknowledged = new AtomicLong();
    /** Heartbeats sent, all agents together. */
    public final AtomicLong heartbeats = new AtomicLong();
    private volatile long heartbeatIntervalMs = 5_000;

    /**
     * @param prefix agent ids are {@code prefix-0}, {@code prefix-1}...
     * @param perAgent what each simulated agent registers as its total
     */
    public SimulatedAgentPool(String bootstrap, String prefix, int agents, Resources perAgent) {
        this.bootstrap = bootstrap;
        this.perAgent = perAgent;
        this.agentIds = new ArrayList<>(agents);
        for (int i = 0; i < agents; i++) {
            agentIds.add(prefix + "-" + i);
        }
        var pp = KafkaClients.producerProps(bootstrap, "simulated-agents-" + prefix);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        producer = KafkaClients.producer(pp);
        consumer = KafkaClients.consumer(KafkaClients.consumerProps(bootstrap, "simulated-agents-" + prefix));
        thread = new Thread(this::run, "simulated-agents-" + prefix);
        thread.setDaemon(true);
    }

    /** Starts reading commands (from the current end of every partition), then registers every agent. */
    public SimulatedAgentPool start() {
        int partitions = consumer.partitionsFor(Topics.AGENT_COMMANDS).size();
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(Topics.AGENT_COMMANDS, p));
        }
        consumer.assign(all);
        consumer.seekToEnd(all);
        for (TopicPartition tp : all) {
            consumer.position(tp);
        }
        LOG.info("simulated agents: registering {} agents ({} command partitions)", agentIds.size(), partitions);
        for (String id : agentIds) {
            send(id, RegisterAgent.newBuilder()
                    .setHostname("simulated-" + id)
                    .setTotal(perAgent)
                    .setAgentVersion("simulated")
                    .setStartedAtMs(startedAtMs)
                    .build());
        }
        producer.flush();
        thread.start();
        return this;
    }

    /** The agent ids, in order. */
    public List<String> agentIds() {
        return agentIds;
    }

    private void run() {
        try {
            loop();
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.error("simulated agents stopped", e);
            }
        }
    }

    private void loop() {
        long nextHeartbeatRound = System.currentTimeMillis() + heartbeatIntervalMs / 2;
        int heartbeatCursor = 0;
        while (!stopping) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                AgentCommand command;
                try {
                    command = Codecs.AGENT_COMMAND.decode(r.value());
                } catch (DecodeException e) {
                    continue;
                }
                handle(command);
            }
            // Heartbeats are spread over the interval: a slice of the agents every round.
            long now = System.currentTimeMillis();
            if (now >= nextHeartbeatRound) {
                int rounds = 10;
                int slice = (agentIds.size() + rounds - 1) / rounds;
                for (int i = 0; i < slice && !agentIds.isEmpty(); i++) {
                    String id = agentIds.get(heartbeatCursor);
                    heartbeatCursor = (heartbeatCursor + 1) % agentIds.size();
                    send(id, AgentHeartbeat.newBuilder().setSequence(heartbeats.incrementAndGet()).build());
                }
                nextHeartbeatRound = now + heartbeatIntervalMs / rounds / 2;
            }
        }
    }

    private void handle(AgentCommand command) {
        String agentId = command.getAgentId();
        Object body = command.getBody();
        if (body instanceof AgentRegistered r) {
            if (r.getStartedAtMs() == startedAtMs && registered.put(agentId, Boolean.TRUE) == null) {
                registeredCount.incrementAndGet();
                heartbeatIntervalMs = Math.max(200, r.getHeartbeatIntervalMs());
            }
        } else if (body instanceof LaunchTasks launch) {
            List<TaskStatus> updates = new ArrayList<>();
            for (TaskInfo task : launch.getTasks()) {
                updates.add(status(launch.getFrameworkId(), task.getTaskId(), agentId, TaskState.RUNNING, TaskStatusReason.NONE, null));
                updates.add(status(launch.getFrameworkId(), task.getTaskId(), agentId, TaskState.FINISHED,
                        TaskStatusReason.COMMAND_EXITED, 0));
                launched.incrementAndGet();
                if (updates.size() >= MAX_UPDATES_PER_MESSAGE) {
                    sendStatus(agentId, launch.getFrameworkId(), updates);
                    updates = new ArrayList<>();
                }
            }
            if (!updates.isEmpty()) {
                sendStatus(agentId, launch.getFrameworkId(), updates);
            }
        } else if (body instanceof KillTask kill) {
            sendStatus(agentId, kill.getFrameworkId(), List.of(status(kill.getFrameworkId(), kill.getTaskId(), agentId,
                    TaskState.KILLED, TaskStatusReason.KILLED_BY_FRAMEWORK, null)));
        } else if (body instanceof io.drover.api.protocol.AcknowledgeUpdate) {
            acknowledged.incrementAndGet();
        }
        // ReconcileTasks and ShutdownAgent: a simulated agent has nothing to reconcile or stop.
    }

    private TaskStatus status(String frameworkId, String taskId, String agentId, TaskState state, TaskStatusReason reason,
            Integer exitCode) {
        return TaskStatus.newBuilder()
                .setTaskId(taskId)
                .setFrameworkId(frameworkId)
                .setAgentId(agentId)
                .setState(state)
                .setReason(reason)
                .setMessage("")
                .setUpdateId(UUID.randomUUID().toString())
                .setTimestampMs(clock.millis())
                .setExitCode(exitCode)
                .build();
    }

    private void sendStatus(String agentId, String frameworkId, List<TaskStatus> updates) {
        StatusMessage message = StatusMessage.newBuilder()
                .setHeader(Envelopes.header(agentId, clock))
                .setAgentId(agentId)
                .setUpdates(updates)
                .build();
        producer.send(new ProducerRecord<>(Topics.STATUS, frameworkId.getBytes(StandardCharsets.UTF_8),
                Codecs.STATUS_MESSAGE.encode(message)));
    }

    private void send(String agentId, Object body) {
        AgentMessage message = AgentMessage.newBuilder()
                .setHeader(Envelopes.header(agentId, clock))
                .setAgentId(agentId)
                .setBody(body)
                .build();
        producer.send(new ProducerRecord<>(Topics.AGENTS, agentId.getBytes(StandardCharsets.UTF_8), Codecs.AGENT_MESSAGE.encode(message)));
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
        producer.close(Duration.ofSeconds(5));
        LOG.info("simulated agents on {}: closed ({} launched)", bootstrap, launched.get());
    }
}
