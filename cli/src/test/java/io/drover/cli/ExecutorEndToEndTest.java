package io.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.cli.local.LocalCluster;
import io.drover.executor.ChronicleFlags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A framework runs tasks in an executor through a real broker, master and agent, and the master charges the executor. */
class ExecutorEndToEndTest {
    private static final ResourceSpec EXECUTOR = new ResourceSpec(1, 256, 0, 0);

    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1, 0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static TaskSpec.ExecutorSpec executor() {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        argv.addAll(ChronicleFlags.JVM_ARGS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoExecutor.class.getName()));
        return new TaskSpec.ExecutorSpec("echo", argv, Map.of(), EXECUTOR);
    }

    private static double offeredCpus(OfferProtocolTest.Inbox in, String agentId) {
        return in.offers.values().stream().filter(o -> o.agentId().equals(agentId)).mapToDouble(o -> o.resources().cpus()).sum();
    }

    @Test
    void tasksRunInOneExecutorWhoseResourcesAreChargedWhileItLives() {
        SchedulerConfig config = new SchedulerConfig(cluster.bootstrap(), "exec-fw", "executor test", "alice", "*", 60_000,
                Clock.systemUTC());
        try (SchedulerClient client = new SchedulerClient(config)) {
            client.subscribe(Duration.ofSeconds(30));
            OfferProtocolTest.Inbox in = new OfferProtocolTest.Inbox(client);
            String agent = cluster.agents().get(0).agentId();
            OfferView offer = in.takeOffer(agent);
            double total = offer.resources().cpus();
            assertTrue(total >= 1.5, "the agent offers " + total + " cpus");

            List<TaskSpec> tasks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                tasks.add(TaskSpec.forExecutor("e" + i, "e" + i, agent, new ResourceSpec(0.01, 1, 0, 0), executor(),
                        ("n" + i).getBytes(StandardCharsets.UTF_8)));
            }
            tasks.add(TaskSpec.forExecutor("sleeper", "sleeper", agent, new ResourceSpec(0.01, 1, 0, 0), executor(),
                    "sleep".getBytes(StandardCharsets.UTF_8)));
            client.accept(List.of(offer.offerId()), tasks, 0);
            in.until(i -> tasks.stream().filter(t -> !t.taskId().equals("sleeper")).allMatch(t -> i.reached(t.taskId(), TaskPhase.FINISHED))
                    && i.reached("sleeper", TaskPhase.RUNNING));
            assertEquals("echo n7", in.last("e7").message());
            assertTrue(in.reached("e7", TaskPhase.STARTING));

            client.kill("sleeper");
            in.until(i -> i.reached("sleeper", TaskPhase.KILLED));
            // Every task ended, but the executor lives (until its idle timeout): its cpu stays charged.
            in.until(i -> Math.abs(offeredCpus(i, agent) - (total - EXECUTOR.cpus())) < 1e-6);
        }
    }
}
