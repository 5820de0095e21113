package io.drover.benchmarks;

import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.cli.local.LocalCluster;
import io.drover.executor.ChronicleFlags;
import io.drover.executor.JavaExecutorCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tasks per second one real agent launches and finishes, on a local cluster (real broker,
 * master, one agent with this machine's resources), in two ways: a process per task (the
 * command {@code true}), and no-op tasks in one executor ({@link NoopExecutorMain}, over the
 * Chronicle Queue channel). One framework accepts every offer with as many small tasks as fit
 * and acknowledges every update; the figure is tasks FINISHED at the framework per second over
 * the measured window, after a warm-up.
 *
 * <p>Arguments: {@code [--quick] [--seconds S]} (default 20 s per mode; quick 8 s).
 */
public final class AgentThroughputBench {
    private static final ResourceSpec TASK = new ResourceSpec(0.01, 4, 0, 0);

    public static void main(String[] args) throws Exception {
        int seconds = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> seconds = 8;
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("drover-agent-throughput-");
        double processRate;
        double executorRate;
        try (LocalCluster cluster = LocalCluster.start(dir, 1, 0)) {
            processRate = run(cluster, "processes", seconds, null);
            List<String> jvm = new ArrayList<>(ChronicleFlags.JVM_ARGS);
            jvm.add("-Xmx128m");
            jvm.add("-XX:+UseSerialGC");
            TaskSpec.ExecutorSpec executor = new TaskSpec.ExecutorSpec("noop",
                    JavaExecutorCommand.argv(Path.of(System.getProperty("java.home")), jvm, shortClassPath(), NoopExecutorMain.class.getName()),
                    Map.of(), new ResourceSpec(0.1, 256, 0, 0));
            executorRate = run(cluster, "executor", seconds, executor);
        } finally {
            Reports.deleteTree(dir);
        }
        String report = "# Agent throughput (" + java.time.LocalDate.now() + ")\n\n" + Reports.machine() + "\n\n"
                + "A local cluster (real broker, master, **one real agent** with this machine's CPUs and memory); one framework"
                + " accepting every offer with as many 0.01-cpu, 4 MiB tasks as fit and acknowledging every update; tasks FINISHED at the"
                + " framework per second over " + seconds + " s after a warm-up.\n\n"
                + "| tasks | launches/s |\n|---|---:|\n"
                + String.format("| a process per task (`true`; setsid, sandbox, cgroup or monitor, journal) | %,.0f |%n", processRate)
                + String.format("| no-op tasks in one executor (Chronicle Queue channel) | %,.0f |%n", executorRate)
                + "\nRun: `./drover bench agent [--quick]`\n";
        Reports.write("agent", report);
    }

    private static double run(LocalCluster cluster, String name, int seconds, TaskSpec.ExecutorSpec executor) {
        long warmupMs = Math.min(5_000, seconds * 1000L / 3);
        try (SchedulerClient client = new SchedulerClient(SchedulerConfig.of(cluster.bootstrap(), "agent-bench-" + name, "agent-bench"))) {
            client.subscribe(Duration.ofSeconds(30));
            long seq = 0;
            long start = System.currentTimeMillis();
            long measureFrom = start + warmupMs;
            long measureTo = measureFrom + seconds * 1000L;
            long done = 0;
            long atStart = -1;
            while (System.currentTimeMillis() < measureTo) {
                for (SchedulerEvent e : client.poll(Duration.ofMillis(10))) {
                    if (e instanceof SchedulerEvent.OffersReceived o) {
                        for (OfferView offer : o.offers()) {
                            ResourceSpec free = offer.resources();
                            // The executor's own resources come out of the first offer it is launched with.
                            double cpus = free.cpus() - (executor != null ? executor.resources().cpus() : 0);
                            long mem = free.memMb() - (executor != null ? executor.resources().memMb() : 0);
                            int fit = (int) Math.max(0, Math.min(Math.floor(cpus / TASK.cpus() + 1e-9), mem / TASK.memMb()));
                            fit = Math.min(fit, executor != null ? 100 : 200);
                            List<TaskSpec> tasks = new ArrayList<>(fit);
                            for (int i = 0; i < fit; i++) {
                                String id = name + "-" + seq++;
                                tasks.add(executor == null
                                        ? new TaskSpec(id, "noop", offer.agentId(), TASK, List.of("true"), Map.of())
                                        : TaskSpec.forExecutor(id, "noop", offer.agentId(), TASK, executor, null));
                            }
                            if (tasks.isEmpty()) {
                                client.decline(List.of(offer.offerId()), 0);
                            } else {
                                client.accept(List.of(offer.offerId()), tasks, 0);
                            }
                        }
                    } else if (e instanceof SchedulerEvent.TaskUpdated u) {
                        client.acknowledge(u.update());
                        if (u.update().phase() == TaskPhase.FINISHED) {
                            done++;
                        } else if (u.update().phase().isTerminal()) {
                            System.err.println(name + ": task " + u.update().taskId() + " ended " + u.update().phase() + ": "
                                    + u.update().message());
                        }
                    }
                }
                if (atStart < 0 && System.currentTimeMillis() >= measureFrom) {
                    atStart = done;
                }
            }
            double rate = (done - Math.max(0, atStart)) / (double) seconds;
            System.err.printf("%s: %,.0f tasks/s%n", name, rate);
            client.teardown();
            return rate;
        }
    }

    /**
     * This module's jar and its lib/ directory as a wildcard, as the drover script runs it: every
     * task names its executor's command, so the expanded class path (100 jars) would make each
     * task description kilobytes long.
     */
    static String shortClassPath() throws java.net.URISyntaxException {
        Path jar = Path.of(AgentThroughputBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(jar) && Files.isDirectory(jar.resolveSibling("lib"))) {
            return jar + java.io.File.pathSeparator + jar.resolveSibling("lib").resolve("*");
        }
        return System.getProperty("java.class.path");
    }

    private AgentThroughputBench() {}
}
