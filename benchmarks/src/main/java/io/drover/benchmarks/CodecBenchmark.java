package io.drover.benchmarks;

import io.drover.api.Envelopes;
import io.drover.api.codec.Codecs;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The protocol codec (Avro single-object encoding, {@link io.drover.api.codec.Codec}) on the two
 * messages the hot path carries most: a StatusMessage of 10 task updates (agent to master to
 * framework) and a LaunchTasks command of 10 tasks (master to agent). Average time per message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    private StatusMessage status;
    private AgentCommand launch;
    private byte[] statusBytes;
    private byte[] launchBytes;

    @Setup
    public void setUp() {
        io.drover.api.codec.ProtocolTrust.ensure();
        Clock clock = Clock.systemUTC();
        List<TaskStatus> updates = new ArrayList<>();
        List<TaskInfo> tasks = new ArrayList<>();
        Resources res = Resources.newBuilder().setCpus(1).setMemMb(1024).setDiskMb(100).setGpus(0)
                .setPorts(List.of(new PortRange(31000, 31000))).build();
        for (int i = 0; i < 10; i++) {
            updates.add(TaskStatus.newBuilder().setTaskId("task-" + i).setFrameworkId("framework-1").setAgentId("agent-1")
                    .setState(TaskState.FINISHED).setReason(TaskStatusReason.COMMAND_EXITED).setMessage("exited with 0")
                    .setUpdateId(UUID.randomUUID().toString()).setTimestampMs(clock.millis()).setExitCode(0).build());
            tasks.add(TaskInfo.newBuilder().setTaskId("task-" + i).setName("map 3/120").setAgentId("agent-1").setResources(res)
                    .setCommand(CommandInfo.newBuilder().setArguments(List.of("/usr/bin/env", "true")).setEnvironment(Map.of("A", "b"))
                            .build())
                    .build());
        }
        status = StatusMessage.newBuilder().setHeader(Envelopes.header("agent-1", clock)).setAgentId("agent-1").setUpdates(updates).build();
        launch = AgentCommand.newBuilder().setHeader(Envelopes.header("master", 7, clock)).setAgentId("agent-1")
                .setBody(LaunchTasks.newBuilder().setFrameworkId("framework-1").setTasks(tasks).build()).build();
        statusBytes = Codecs.STATUS_MESSAGE.encode(status);
        launchBytes = Codecs.AGENT_COMMAND.encode(launch);
    }

    @Benchmark
    public byte[] encodeStatus10() {
        return Codecs.STATUS_MESSAGE.encode(status);
    }

    @Benchmark
    public StatusMessage decodeStatus10() throws Exception {
        return Codecs.STATUS_MESSAGE.decode(statusBytes);
    }

    @Benchmark
    public byte[] encodeLaunch10() {
        return Codecs.AGENT_COMMAND.encode(launch);
    }

    @Benchmark
    public AgentCommand decodeLaunch10() throws Exception {
        return Codecs.AGENT_COMMAND.decode(launchBytes);
    }
}
