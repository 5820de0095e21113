package io.drover.benchmarks;

import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskSpec;
import io.drover.benchmarks.sim.SimulatedAgentPool;
import io.drover.broker.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master at scale: a real master in its own JVM (so its heap is its own), a real broker, and
 * SIMULATED agents ({@link SimulatedAgentPool}) added in steps (1,000 → 10,000 → 50,000 by
 * default), with 200 frameworks subscribed. Each framework launches one no-op task on the first
 * offer of every batch it gets and declines the rest for 10 s, so allocation keeps running. At
 * each step, after the new agents registered and a settling period, it reads from the master:
 * the allocation cycle's p50/p99 (the master's own {@code drover.allocation.cycle} timer, over
 * the step), its heap after a full GC, and the latency of {@code GET /api/v1/state}.
 *
 * <p>Arguments: {@code [--quick] [--steps 1000,10000,50000] [--frameworks 200] [--settle SECONDS]};
 * quick is steps 1,000 and 5,000 with 50 frameworks.
 */
public final class ScaleBench {
    private static final Pattern QUANTILE = Pattern.compile("drover_allocation_cycle_seconds\\{quantile=\"(0\\.5|0\\.99)\",?\\} ([0-9.Ee+-]+)");
    private static final Pattern CYCLE_MAX = Pattern.compile("drover_allocation_cycle_seconds_max ([0-9.Ee+-]+)");
    private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",[^}]*\\} ([0-9.Ee+-]+)");

    record Step(int agents, int registered, double cycleP50Ms, double cycleP99Ms, double cycleMaxMs, double heapMiB,
            double stateP50Ms, double stateP99Ms, long stateBytes) {}

    public static void main(String[] args) throws Exception {
        List<Integer> steps = List.of(1_000, 10_000, 50_000);
        int frameworks = 200;
        int settleSeconds = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    steps = List.of(1_000, 5_000);
                    frameworks = 50;
                    settleSeconds = 10;
                }
                case "--steps" -> steps = java.util.Arrays.stream(args[++i].split(",")).map(String::trim).map(Integer::parseInt).toList();
                case "--frameworks" -> frameworks = Integer.parseInt(args[++i]);
                case "--settle" -> settleSeconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("drover-scale-");
        List<Step> results = new ArrayList<>();
        Resources perAgent = Resources.newBuilder().setCpus(32).setMemMb(128 * 1024).setDiskMb(0).setGpus(0)
                .setPorts(List.<PortRange>of()).build();
        int httpPort = freePort();
        Process master = null;
        List<SimulatedAgentPool> pools = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread frameworkThread = null;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, 0)) {
            master = startMaster(kafka.bootstrap(), dir.resolve("master"), httpPort);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitMaster(http, httpPort, master);
            List<SchedulerClient> clients = new ArrayList<>();
            for (int f = 0; f < frameworks; f++) {
                SchedulerClient c = new SchedulerClient(SchedulerConfig.of(kafka.bootstrap(), "scale-" + f, "scale-" + f));
                c.subscribe(Duration.ofSeconds(60));
                clients.add(c);
            }
            frameworkThread = new Thread(() -> driveFrameworks(clients, stop), "frameworks");
            frameworkThread.start();
            int total = 0;
            for (int target : steps) {
                int add = target - total;
                if (add <= 0) {
                    continue;
                }
                SimulatedAgentPool pool = new SimulatedAgentPool(kafka.bootstrap(), "sim" + pools.size(), add, perAgent).start();
                pools.add(pool);
                total = target;
                long deadline = System.currentTimeMillis() + 300_000;
                while (registered(pools) < total && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200); // NOPMD: a benchmark driver waiting for the master, bounded
                }
                System.err.printf("%,d simulated agents registered (of %,d); settling %d s%n", registered(pools), total, settleSeconds);
                // Percentiles of the master's timer cover its recent window: settle, then read.
                Thread.sleep(settleSeconds * 1000L); // NOPMD: the measured period itself
                String metrics = get(http, httpPort, "/metrics").body();
                double p50 = Double.NaN;
                double p99 = Double.NaN;
                Matcher m = QUANTILE.matcher(metrics);
                while (m.find()) {
                    if (m.group(1).equals("0.5")) {
                        p50 = Double.parseDouble(m.group(2)) * 1000;
                    } else {
                        p99 = Double.parseDouble(m.group(2)) * 1000;
                    }
                }
                Matcher mx = CYCLE_MAX.matcher(metrics);
                double max = mx.find() ? Double.parseDouble(mx.group(1)) * 1000 : Double.NaN;
                List<Double> stateMs = new ArrayList<>();
                long stateBytes = 0;
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = get(http, httpPort, "/api/v1/state");
                    stateMs.add((System.nanoTime() - t0) / 1e6);
                    stateBytes = r.body().length();
                }
                results.add(new Step(target, (int) registered(pools), p50, p99, max, liveHeapMiB(master, http, httpPort),
                        Reports.percentile(stateMs, 0.5), Reports.percentile(stateMs, 0.99), stateBytes));
                System.err.println(results.get(results.size() - 1));
            }
            stop.set(true);
            frameworkThread.join(30_000);
            for (SchedulerClient c : clients) {
                c.close();
            }
        } finally {
            stop.set(true);
            for (SimulatedAgentPool p : pools) {
                p.close();
            }
            if (master != null) {
                master.destroy();
                if (!master.waitFor(20, TimeUnit.SECONDS)) {
                    master.destroyForcibly();
                }
            }
            Reports.deleteTree(dir);
        }
        StringBuilder table = new StringBuilder("| simulated agents | registered | allocation cycle p50 | p99 | max | master heap after GC |"
                + " /api/v1/state p50 | p99 | state size |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Step s : results) {
            table.append(String.format("| %,d | %,d | %.1f ms | %.1f ms | %.1f ms | %,.0f MiB | %.1f ms | %.1f ms | %,d KiB |%n", s.agents(),
                    s.registered(), s.cycleP50Ms(), s.cycleP99Ms(), s.cycleMaxMs(), s.heapMiB(), s.stateP50Ms(), s.stateP99Ms(),
                    s.stateBytes() / 1024));
        }
        String report = "# Scale (" + java.time.LocalDate.now() + ")\n\n" + Reports.machine() + "\n\n"
                + "Real broker and a real master (own JVM, -Xmx4g) with **simulated** agents (32 cpus, 128 GiB each; one Kafka client"
                + " pair per step's pool) and " + frameworks + " frameworks (each launches a no-op task on the first offer of each batch"
                + " and declines the rest for 10 s). Allocation cycle percentiles are the master's own timer after " + settleSeconds
                + " s at each size; heap is the master's used heap after a full GC; /api/v1/state over 20 requests.\n\n" + table
                + "\nTargets: 50,000 agents x 200 frameworks with allocation cycle p99 <= 1 s and master heap <= 4 GiB.\n\n"
                + "Run: `./drover bench scale [--quick]`\n";
        Reports.write("scale", report);
        Plots.bars(Reports.resultsDir().resolve("scale-" + java.time.LocalDate.now() + ".png"), "Allocation cycle vs simulated agents",
                "simulated agents", "ms", results.stream().map(s -> String.format("%,d", s.agents())).toList(),
                Map.of("p50", results.stream().map(Step::cycleP50Ms).toList(), "p99", results.stream().map(Step::cycleP99Ms).toList()));
    }

    private static void driveFrameworks(List<SchedulerClient> clients, AtomicBoolean stop) {
        long seq = 0;
        ResourceSpec task = new ResourceSpec(0.1, 32, 0, 0);
        while (!stop.get()) {
            for (SchedulerClient c : clients) {
                for (SchedulerEvent e : c.poll(Duration.ZERO)) {
                    if (e instanceof SchedulerEvent.OffersReceived o && !o.offers().isEmpty()) {
                        OfferView first = o.offers().get(0);
                        c.accept(List.of(first.offerId()), List.of(new TaskSpec("s" + seq++, "noop", first.agentId(), task,
                                List.of("true"), Map.of())), 10);
                        List<String> rest = o.offers().stream().skip(1).map(OfferView::offerId).toList();
                        if (!rest.isEmpty()) {
                            c.decline(rest, 10);
                        }
                    } else if (e instanceof SchedulerEvent.TaskUpdated u && u.update().needsAcknowledgement()) {
                        c.acknowledge(u.update());
                    }
                }
            }
            try {
                Thread.sleep(10); // NOPMD: pacing the round-robin over the clients
            } catch (InterruptedException ie) {
                return;
            }
        }
    }

    private static long registered(List<SimulatedAgentPool> pools) {
        return pools.stream().mapToLong(p -> p.registeredCount.get()).sum();
    }

    private static Process startMaster(String bootstrap, Path dataDir, int httpPort) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx4g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.drover.cli.Main");
        cmd.addAll(List.of("master", "--bootstrap", bootstrap, "--data-dir", dataDir.toString(), "--master-id", "scale-master",
                "--http", "127.0.0.1:" + httpPort));
        Path log = dataDir.resolveSibling("master.log");
        Files.createDirectories(dataDir.getParent());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitMaster(HttpClient http, int port, Process master) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!master.isAlive()) {
                throw new IllegalStateException("the master exited with " + master.exitValue());
            }
            try {
                if (get(http, port, "/api/v1/state").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200); // NOPMD: polling a child process's HTTP port, bounded
        }
        throw new IllegalStateException("the master did not answer on port " + port);
    }

    /** The master's used heap right after a full GC (jcmd GC.run), from its own metrics. */
    private static double liveHeapMiB(Process master, HttpClient http, int port) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(master.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gc.waitFor(60, TimeUnit.SECONDS);
        Matcher m = HEAP.matcher(get(http, port, "/metrics").body());
        double bytes = 0;
        while (m.find()) {
            bytes += Double.parseDouble(m.group(1));
        }
        return bytes / (1024 * 1024);
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ScaleBench() {}
}
