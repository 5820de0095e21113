package io.drover.benchmarks;

import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.benchmarks.sim.SimulatedAgentPool;
import io.drover.broker.EmbeddedKafka;
import io.drover.master.Master;
import io.drover.master.MasterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sustained task launches per second through the real master and the real broker, with no-op
 * tasks on SIMULATED agents ({@link SimulatedAgentPool}: many agents over one Kafka client pair,
 * each task reported RUNNING and FINISHED at once). One framework accepts every offer with as
 * many small tasks as fit and acknowledges every update; the figure is tasks FINISHED at the
 * framework per second over the measured window, after a warm-up.
 *
 * <p>Arguments: {@code [--quick] [--agents N] [--seconds S]} (defaults 100 agents, 30 s; quick 10 s).
 */
public final class LaunchThroughputBench {
    private static final ResourceSpec TASK = new ResourceSpec(0.1, 32, 0, 0);

    public static void main(String[] args) throws Exception {
        int agents = 100;
        int seconds = 30;
        int maxBatch = 500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> seconds = 10;
                case "--agents" -> agents = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--max-batch" -> maxBatch = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("drover-launch-");
        Resources perAgent = Resources.newBuilder().setCpus(64).setMemMb(256 * 1024).setDiskMb(0).setGpus(0)
                .setPorts(List.<PortRange>of()).build();
        long finished = 0;
        double rate;
        String masterMetrics = "";
        long warmupMs = Math.min(5_000, seconds * 1000L / 3);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, 0);
                Master master = new Master(MasterConfig.defaults(kafka.bootstrap(), dir.resolve("master")).toBuilder().masterId("bench-master")
                        .httpListen("localhost:0").maxBatchRecords(maxBatch).build(), Clock.systemUTC())) {
            master.start();
            if (!master.awaitActive(Duration.ofSeconds(60))) {
                throw new IllegalStateException("master did not become active");
            }
            try (SimulatedAgentPool pool = new SimulatedAgentPool(kafka.bootstrap(), "sim", agents, perAgent).start();
                    SchedulerClient client = new SchedulerClient(SchedulerConfig.of(kafka.bootstrap(), "launch-bench", "launch-bench"))) {
                long deadline = System.currentTimeMillis() + 120_000;
                while (pool.registeredCount.get() < agents && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50); // NOPMD: a benchmark driver waiting for the master's answers, bounded
                }
                client.subscribe(Duration.ofSeconds(30));
                long taskSeq = 0;
                long start = System.currentTimeMillis();
                long measureFrom = start + warmupMs;
                long measureTo = measureFrom + seconds * 1000L;
                long atMeasureStart = -1;
                long done = 0;
                long offers = 0;
                long accepted = 0;
                while (System.currentTimeMillis() < measureTo) {
                    for (SchedulerEvent e : client.poll(Duration.ofMillis(20))) {
                        if (e instanceof SchedulerEvent.OffersReceived o) {
                            for (OfferView offer : o.offers()) {
                                int fit = (int) Math.min(Math.floor(offer.resources().cpus() / TASK.cpus() + 1e-9),
                                        offer.resources().memMb() / TASK.memMb());
                                List<TaskSpec> tasks = new ArrayList<>(fit);
                                for (int i = 0; i < fit; i++) {
                                    tasks.add(new TaskSpec("t" + taskSeq++, "noop", offer.agentId(), TASK, List.of("true"), Map.of()));
                                }
                                client.accept(List.of(offer.offerId()), tasks, 0);
                                offers++;
                                accepted += fit;
                            }
                        } else if (e instanceof SchedulerEvent.TaskUpdated u) {
                            if (u.update().needsAcknowledgement()) {
                                client.acknowledge(u.update());
                            }
                            if (u.update().phase() == TaskPhase.FINISHED) {
                                done++;
                            }
                        }
                    }
                    if (atMeasureStart < 0 && System.currentTimeMillis() >= measureFrom) {
                        atMeasureStart = done;
                    }
                }
                finished = done - Math.max(0, atMeasureStart);
                System.err.printf("offers %d, tasks accepted %d (%.1f a offer), finished %d%n", offers, accepted,
                        accepted / Math.max(1.0, offers), done);
                rate = finished / (double) seconds;
                masterMetrics = masterMetrics(master.httpAddress());
                client.teardown();
            }
        } finally {
            Reports.deleteTree(dir);
        }
        String report = "# Launch throughput (" + java.time.LocalDate.now() + ")\n\n" + Reports.machine() + "\n\n"
                + "Real broker (single node) and real master in one JVM; " + agents + " **simulated** agents (64 cpus each, one"
                + " Kafka client pair for all, every task reported RUNNING then FINISHED at once); one framework accepting every"
                + " offer with as many 0.1-cpu no-op tasks as fit and acknowledging every update. Counted after "
                + warmupMs / 1000 + " s of warm-up.\n\n"
                + "| measured window | tasks finished | launches/s | target |\n|---:|---:|---:|---:|\n"
                + String.format("| %d s | %,d | %,.0f | >= 10,000 |%n", seconds, finished, rate)
                + "\nThe master's own timers at the end (what bounds the rate):\n\n```\n" + masterMetrics + "```\n"
                + "\nRun: `./drover bench launch [--quick]`\n";
        Reports.write("launch", report);
    }

    /** The master's batch-commit and allocation timers and its input lag, from its /metrics. */
    static String masterMetrics(String httpAddress) {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + httpAddress + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            StringBuilder out = new StringBuilder();
            for (String line : body.split("\n")) {
                if (!line.startsWith("#") && (line.startsWith("drover_batch_commit") || line.startsWith("drover_allocation_cycle")
                        || line.startsWith("drover_input_lag") || line.startsWith("drover_calls"))) {
                    out.append(line).append('\n');
                }
            }
            return out.toString();
        } catch (java.io.IOException | InterruptedException | RuntimeException e) {
            return "(metrics unavailable: " + e + ")\n";
        }
    }

    private LaunchThroughputBench() {}
}
