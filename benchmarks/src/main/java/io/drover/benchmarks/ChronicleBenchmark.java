package io.drover.benchmarks;

import io.drover.agent.StatusJournal;
import io.drover.api.codec.ProtocolTrust;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.executor.Heartbeat;
import io.drover.executor.ChannelEnd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.threads.Pauser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Chronicle Queue on the agent's two hot paths, sampled (percentiles in the JMH output):
 *
 * <ul>
 *   <li>{@code roundTrip}: the agent end sends a message to the executor end (the real
 *       {@link ChannelEnd}s, Avro-encoded excerpts, two queues in a temp dir); a reader thread on
 *       the executor end, waiting with the {@code reader} pauser (Chronicle's balanced back-off, the
 *       default, or a busy spin), answers at once; the benchmark thread spins until the answer is
 *       read. One hop is half a round trip.
 *   <li>{@code journalAppend}: the agent's {@link StatusJournal} appends one status update (a
 *       TaskStatus of about 150 bytes), as before every send.
 * </ul>
 *
 * On a 2-CPU machine the spinning reader and the spinning benchmark thread take both CPUs; the
 * tail latencies there show preemption more than Chronicle.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChronicleBenchmark {
    @Param({"backoff", "busy"})
    public String reader;

    private Path dir;
    private ChannelEnd agent;
    private ChannelEnd executor;
    private Thread echo;
    private volatile boolean stop;
    private StatusJournal journal;
    private TaskStatus update;
    private Heartbeat ping;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        ProtocolTrust.ensure();
        dir = Files.createTempDirectory("drover-chronicle-bench-");
        Clock clock = Clock.systemUTC();
        agent = ChannelEnd.agentEnd(dir.resolve("queues"), clock);
        executor = ChannelEnd.executorEnd(dir.resolve("queues"), clock);
        ping = Heartbeat.newBuilder().setIntervalMs(1000).build();
        Pauser pauser = reader.equals("busy") ? ChannelEnd.busyPauser() : ChannelEnd.defaultPauser();
        echo = new Thread(() -> {
            while (!stop) {
                ChannelEnd.Received r = executor.poll();
                if (r == null) {
                    pauser.pause();
                } else {
                    pauser.reset();
                    executor.send(ping);
                }
            }
        }, "executor-echo");
        echo.setDaemon(true);
        echo.start();
        journal = StatusJournal.open(dir.resolve("journal"), 1_000_000_000L, System.currentTimeMillis());
        update = TaskStatus.newBuilder().setTaskId("task-000123").setFrameworkId("framework-1").setAgentId("agent-1")
                .setState(TaskState.FINISHED).setReason(TaskStatusReason.COMMAND_EXITED).setMessage("exited with 0")
                .setUpdateId(UUID.randomUUID().toString()).setTimestampMs(System.currentTimeMillis()).setExitCode(0).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stop = true;
        echo.join(5_000);
        agent.close();
        executor.close();
        journal.close();
        Reports.deleteTree(dir);
    }

    @Benchmark
    public Object roundTrip() {
        agent.send(ping);
        ChannelEnd.Received r;
        while ((r = agent.poll()) == null) {
            Thread.onSpinWait();
        }
        return r;
    }

    @Benchmark
    public void journalAppend() {
        journal.appendUpdate(update);
    }
}
