package io.drover.benchmarks;

import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.cli.local.LocalCluster;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The offer cycle on a real local cluster (broker, master, one agent of one CPU): a task ends,
 * its agent's resources are free, the master offers them, the framework accepts at once, the
 * new task runs. Measures, per cycle, from the framework seeing the task end to the next offer,
 * from the accept to RUNNING, and the whole cycle; prints p50/p99/max and writes
 * benchmarks/results/offer-cycle-DATE.md.
 *
 * <p>Arguments: {@code [cycles]} (default 300; {@code --quick} is 50).
 */
public final class OfferCycleBench {
    public static void main(String[] args) throws Exception {
        int cycles = 300;
        for (String a : args) {
            cycles = a.equals("--quick") ? 50 : Integer.parseInt(a);
        }
        Path dir = Files.createTempDirectory("drover-offer-cycle-");
        List<Long> toOffer = new ArrayList<>();
        List<Long> toRunning = new ArrayList<>();
        List<Long> whole = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.start(dir, 1, 0)) {
            double cpus = cluster.agents().get(0).totalResources().getCpus();
            ResourceSpec all = new ResourceSpec(cpus, 64, 0, 0);
            try (SchedulerClient client = new SchedulerClient(SchedulerConfig.of(cluster.bootstrap(), "offer-cycle", "offer-cycle"))) {
                client.subscribe(Duration.ofSeconds(30));
                long ended = -1;
                long offered = -1;
                int task = 0;
                int warmup = Math.max(5, cycles / 10);
                while (whole.size() < cycles) {
                    for (SchedulerEvent e : client.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        if (e instanceof SchedulerEvent.OffersReceived o) {
                            OfferView offer = o.offers().get(0);
                            offered = now;
                            // A task that ends at once, taking the whole agent, so that the next
                            // offer can only come from its resources being freed.
                            client.accept(List.of(offer.offerId()), List.of(new TaskSpec("t" + task++, "cycle", offer.agentId(), all,
                                    List.of("true"), Map.of())), 0);
                        } else if (e instanceof SchedulerEvent.TaskUpdated u) {
                            client.acknowledge(u.update());
                            if (u.update().phase() == TaskPhase.RUNNING && ended >= 0 && offered >= 0) {
                                if (task > warmup) {
                                    toOffer.add(offered - ended);
                                    toRunning.add(now - offered);
                                    whole.add(now - ended);
                                }
                                ended = -1;
                            } else if (u.update().phase().isTerminal()) {
                                ended = now;
                            }
                        }
                    }
                }
                client.teardown();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        String table = "| step | p50 | p99 | max |\n|---|---:|---:|---:|\n"
                + row("task ended -> next offer at the framework", toOffer)
                + row("accept -> task RUNNING at the framework", toRunning)
                + row("whole cycle: ended -> offer -> accept -> RUNNING", whole);
        String report = "# Offer cycle (" + LocalDate.now() + ")\n\n"
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, JVM " + System.getProperty("java.version")
                + ", " + ManagementFactory.getOperatingSystemMXBean().getArch() + ". A local cluster (real single-node broker, master,"
                + " one agent), one framework that accepts every offer at once with a task (`true`) taking the whole agent; "
                + whole.size() + " cycles after warm-up. Times are at the framework, through Kafka.\n\n" + table
                + "\nTargets: offer cycle p50 <= 20 ms, p99 <= 100 ms.\n\n"
                + "Run: `./drover bench offer-cycle [--quick]`\n";
        Path results = Path.of("benchmarks", "results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("offer-cycle-" + LocalDate.now() + ".md"), report);
        System.out.println(report);
        List<String> pcts = List.of("p50", "p90", "p99", "p99.9");
        double[] ps = {0.5, 0.9, 0.99, 0.999};
        Map<String, List<Double>> series = new java.util.LinkedHashMap<>();
        for (var e : Map.of("ended -> offer", toOffer, "accept -> RUNNING", toRunning, "whole cycle", whole).entrySet()) {
            List<Double> values = new ArrayList<>();
            for (double p : ps) {
                values.add(Reports.percentile(e.getValue(), p) / 1e6);
            }
            series.put(e.getKey(), values);
        }
        Plots.bars(results.resolve("offer-cycle-" + LocalDate.now() + ".png"), "Offer cycle latency percentiles (" + whole.size()
                + " cycles)", "percentile", "ms", pcts, series);
    }

    private static String row(String name, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("| %s | %.1f ms | %.1f ms | %.1f ms |%n", name, pct(sorted, 0.50), pct(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double pct(List<Long> sorted, double p) {
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    private OfferCycleBench() {}
}
