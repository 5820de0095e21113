package io.drover.master;

import io.drover.api.Envelopes;
import io.drover.api.ResourceMath;
import io.drover.api.Topics;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.protocol.Accept;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.FrameworkEvent;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.Subscribe;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.master.handler.Batch;
import io.drover.master.handler.MasterLogic;
import io.drover.master.state.MasterState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Drives {@link MasterLogic} with in-memory inputs and a manual clock, and records each batch's
 * log record and outputs, the way the Kafka loop would commit them. No broker.
 */
final class Harness {
    final ManualClock clock = new ManualClock(1_000_000);
    final MasterConfig config;
    final MasterState state = new MasterState();
    final MasterLogic logic;

    Harness() {
        this(MasterConfig.defaults("unused:1", Path.of("unused")), 1);
    }

    /** A harness whose master has {@code config} and draws its tie-breaks from {@code seed}. */
    Harness(MasterConfig config, long seed) {
        this.config = config.validate();
        this.logic = new MasterLogic(config, clock, state, new io.drover.master.handler.SoftState(), 8, new java.util.Random(seed));
    }

    /** Every log record "committed", in order. */
    final List<MasterLogRecord> log = new ArrayList<>();
    /** Events of the last turn (empty when it recorded none). */
    List<Object> lastEvents = List.of();
    /** Outputs of the last turn. */
    List<ProducerRecord<byte[], byte[]>> outputs = List.of();

    /** One loop turn: the inputs, then the timers. */
    Batch turn(Object... inputs) {
        Batch batch = new Batch(state);
        for (Object input : inputs) {
            if (input instanceof AgentMessage m) {
                logic.onAgentMessage(m, batch);
            } else if (input instanceof StatusMessage m) {
                logic.onStatus(m, batch);
            } else if (input instanceof CallMessage m) {
                logic.calls().onCall(m, batch);
            } else {
                throw new IllegalArgumentException(String.valueOf(input));
            }
        }
        logic.onTimers(batch);
        if (!batch.events().isEmpty()) {
            log.add(MasterLogRecord.newBuilder()
                    .setHeader(Envelopes.header("master", state.epoch(), clock))
                    .setEvents(new ArrayList<>(batch.events()))
                    .setInputPositions(Map.of())
                    .build());
        }
        outputs = batch.outputs();
        lastEvents = batch.events();
        return batch;
    }

    /** Bodies of the last turn's events to one framework. */
    List<Object> eventsTo(String frameworkId) {
        List<Object> bodies = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : outputs) {
            if (r.topic().equals(Topics.offers(frameworkId))) {
                bodies.add(decode(Codecs.FRAMEWORK_EVENT, r.value()).getBody());
            }
        }
        return bodies;
    }

    /** Bodies of the last turn's commands to one agent. */
    List<Object> commandsTo(String agentId) {
        List<Object> bodies = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : outputs) {
            if (r.topic().equals(Topics.AGENT_COMMANDS)) {
                AgentCommand c = decode(Codecs.AGENT_COMMAND, r.value());
                if (c.getAgentId().equals(agentId)) {
                    bodies.add(c.getBody());
                }
            }
        }
        return bodies;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> T decode(io.drover.api.codec.Codec<T> codec, byte[] bytes) {
        try {
            return codec.decode(bytes);
        } catch (DecodeException e) {
            throw new AssertionError(e);
        }
    }

    /** A keep-alive from every subscribed framework and a heartbeat from every agent, so that nobody times out. */
    List<Object> liveness() {
        List<Object> inputs = new ArrayList<>();
        for (String fw : state.frameworks().keySet()) {
            inputs.add(call(fw, io.drover.api.protocol.KeepAlive.newBuilder().build()));
        }
        for (String agentId : state.agents().keySet()) {
            inputs.add(AgentMessage.newBuilder().setHeader(Envelopes.header(agentId, clock)).setAgentId(agentId)
                    .setBody(io.drover.api.protocol.AgentHeartbeat.newBuilder().setSequence(0).build()).build());
        }
        return inputs;
    }

    static AgentMessage register(String agentId, Resources total, long startedAtMs) {
        return AgentMessage.newBuilder()
                .setHeader(Envelopes.header(agentId, java.time.Clock.systemUTC()))
                .setAgentId(agentId)
                .setBody(RegisterAgent.newBuilder().setHostname("host-" + agentId).setTotal(total)
                        .setStartedAtMs(startedAtMs).build())
                .build();
    }

    static CallMessage call(String frameworkId, Object body) {
        return CallMessage.newBuilder()
                .setHeader(Envelopes.header("principal-" + frameworkId, java.time.Clock.systemUTC()))
                .setFrameworkId(frameworkId)
                .setBody(body)
                .build();
    }

    static CallMessage subscribe(String frameworkId) {
        return call(frameworkId, Subscribe.newBuilder().setFrameworkName(frameworkId)
                .setSubscriptionId(UUID.randomUUID().toString()).build());
    }

    static TaskInfo task(String taskId, String agentId, double cpus, long memMb) {
        return TaskInfo.newBuilder().setTaskId(taskId).setName(taskId).setAgentId(agentId)
                .setResources(ResourceMath.of(cpus, memMb, 0, 0))
                .setCommand(CommandInfo.newBuilder().setArguments(List.of("true")).build())
                .build();
    }

    /** A task run by executor {@code executorId}, which itself uses {@code executorCpus} and {@code executorMemMb}. */
    static TaskInfo executorTask(String taskId, String agentId, double cpus, long memMb, String executorId, double executorCpus,
                                 long executorMemMb) {
        return TaskInfo.newBuilder(task(taskId, agentId, cpus, memMb))
                .setCommand(CommandInfo.newBuilder().setArguments(List.of()).build())
                .setExecutor(io.drover.api.protocol.ExecutorInfo.newBuilder().setExecutorId(executorId)
                        .setCommand(CommandInfo.newBuilder().setArguments(List.of("java", "MyExecutor")).build())
                        .setResources(ResourceMath.of(executorCpus, executorMemMb, 0, 0)).build())
                .setData(java.nio.ByteBuffer.wrap(new byte[] {1}))
                .build();
    }

    /** The agent's report that one of its executors ended. */
    static AgentMessage executorEnded(String agentId, String frameworkId, String executorId) {
        return AgentMessage.newBuilder()
                .setHeader(Envelopes.header(agentId, java.time.Clock.systemUTC()))
                .setAgentId(agentId)
                .setBody(io.drover.api.protocol.ExecutorEnded.newBuilder().setFrameworkId(frameworkId).setExecutorId(executorId)
                        .setMessage("exited with code 0").build())
                .build();
    }

    static CallMessage accept(String frameworkId, String offerId, TaskInfo... tasks) {
        return call(frameworkId, Accept.newBuilder().setOfferIds(List.of(offerId)).setTasks(List.of(tasks)).build());
    }

    static StatusMessage status(String agentId, String frameworkId, String taskId, TaskState state, Integer exitCode) {
        return StatusMessage.newBuilder()
                .setHeader(Envelopes.header(agentId, java.time.Clock.systemUTC()))
                .setAgentId(agentId)
                .setUpdates(List.of(TaskStatus.newBuilder()
                        .setTaskId(taskId).setFrameworkId(frameworkId).setAgentId(agentId)
                        .setState(state).setReason(TaskStatusReason.COMMAND_EXITED)
                        .setUpdateId(UUID.randomUUID().toString()).setTimestampMs(1).setExitCode(exitCode)
                        .build()))
                .build();
    }
}
