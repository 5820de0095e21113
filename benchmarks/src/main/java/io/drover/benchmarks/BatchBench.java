package io.drover.benchmarks;

import io.drover.benchmarks.batch.BaselineMain;
import io.drover.benchmarks.batch.BatchData;
import io.drover.benchmarks.batch.ProcessSampler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Batch jobs through {@code ./drover job submit} on a local cluster ({@code ./drover local}: a
 * real broker, master, 2 agents and the job service, as a child process), beside the
 * single-process two-thread Java programs ({@link io.drover.benchmarks.batch.Baselines}, in
 * their own JVM) on the same files in the same run: wordcount over Zipf text and sort of
 * TeraSort-style records. For each: wall time (submit to exit for Drover, including the CLI's
 * own start), CPU seconds and peak resident memory of the process trees (for Drover: the
 * cluster with its executors, plus the CLI), and the ratio of wall times.
 *
 * <p>Arguments: {@code [--quick] [--data DIR] [--text-mb N] [--records N]}; full: 1 GiB of text
 * and 10M records (1 GB); quick: 64 MiB and 1M. Inputs are generated once per size and kept in
 * the data directory (default {@code benchmarks/target/batch-data}).
 */
public final class BatchBench {
    record Measure(String what, double wallS, double cpuS, double peakMiB) {}

    public static void main(String[] args) throws Exception {
        long textMb = 1024;
        long records = 10_000_000;
        Path data = Path.of("benchmarks", "target", "batch-data");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    textMb = 64;
                    records = 1_000_000;
                }
                case "--data" -> data = Path.of(args[++i]);
                case "--text-mb" -> textMb = Long.parseLong(args[++i]);
                case "--records" -> records = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(data);
        Path text = data.resolve("zipf-" + textMb + "m.txt");
        Path recs = data.resolve("records-" + records + ".bin");
        if (!Files.exists(text)) {
            System.err.println("generating " + text + " ...");
            BatchData.zipfText(text, textMb << 20, 100_000, 1);
        }
        if (!Files.exists(recs)) {
            System.err.println("generating " + recs + " ...");
            BatchData.sortRecords(recs, records, 2);
        }
        Path work = Files.createTempDirectory(data.toAbsolutePath(), "run-");
        List<Measure> results = new ArrayList<>();
        int port = freePort();
        Process cluster = startCluster(work.resolve("cluster"), port);
        try {
            // One unmeasured command first, as on any installation after its first use: it records the
            // CLI's class-data sharing archive, which later commands start from.
            Process first = new ProcessBuilder("./drover", "job", "list", "--bootstrap", "localhost:" + port)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (first.waitFor() != 0) {
                throw new IllegalStateException("drover job list exited with " + first.exitValue());
            }
            for (String job : List.of("wordcount", "sort")) {
                Path input = job.equals("wordcount") ? text : recs;
                // Warm the page cache for both sides alike.
                try (var in = Files.newInputStream(input)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                results.add(baseline(job, input, work.resolve(job + "-baseline.out")));
                results.add(drover(cluster, port, job, input, work.resolve(job + "-drover")));
            }
        } finally {
            cluster.destroy();
            if (!cluster.waitFor(60, TimeUnit.SECONDS)) {
                cluster.destroyForcibly();
            }
            Reports.deleteTree(work);
        }
        StringBuilder table = new StringBuilder("| job | program | wall | CPU | peak memory (RSS) | wall ratio | target |\n"
                + "|---|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < results.size(); i += 2) {
            Measure base = results.get(i);
            Measure drv = results.get(i + 1);
            String job = base.what();
            String target = job.equals("wordcount") ? "<= 1.5x" : "<= 2x";
            table.append(String.format("| %s | single process, 2 threads | %.1f s | %.1f s | %,.0f MiB | 1.0 | |%n", job, base.wallS(),
                    base.cpuS(), base.peakMiB()));
            table.append(String.format("| %s | `drover job submit` (local cluster, 2 agents) | %.1f s | %.1f s | %,.0f MiB | %.2fx | %s |%n",
                    job, drv.wallS(), drv.cpuS(), drv.peakMiB(), drv.wallS() / base.wallS(), target));
        }
        String report = "# Batch jobs (" + java.time.LocalDate.now() + ")\n\n" + Reports.machine() + "\n\n"
                + "wordcount over " + textMb + " MiB of Zipf text (100,000-word vocabulary) and sort of " + String.format("%,d", records)
                + " 100-byte records (10-byte keys), each through `./drover job submit` on `./drover local` (real broker, master,"
                + " 2 agents, job service; executors started by the job) and beside a single-process two-thread Java program in its"
                + " own JVM on the same file, page cache warm. CPU and peak memory are of the process trees (Drover: the whole local"
                + " cluster with its executors, including its idle broker and master, plus the CLI).\n\n" + table
                + "\nRun: `./drover bench batch [--quick]`\n";
        Reports.write("batch", report);
    }

    private static Measure baseline(String job, Path input, Path output) throws Exception {
        List<String> cmd = List.of(javaBin(), "-Xmx3g", "-cp", System.getProperty("java.class.path"), BaselineMain.class.getName(), job,
                input.toString(), output.toString());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ProcessSampler sampler = new ProcessSampler(List.of(p.pid()));
        int code = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = sampler.cpuSeconds();
        sampler.close();
        if (code != 0) {
            throw new IllegalStateException("the " + job + " baseline exited with " + code);
        }
        System.err.printf("%s baseline: %.1f s%n", job, wall);
        return new Measure(job, wall, cpu, sampler.peakRssMiB());
    }

    private static Measure drover(Process cluster, int port, String job, Path input, Path output) throws Exception {
        List<String> cmd = List.of("./drover", "job", "submit", job, "--input", input.toAbsolutePath().toString(), "--output",
                output.toAbsolutePath().toString(), "--bootstrap", "localhost:" + port);
        ProcessSampler clusterSampler = new ProcessSampler(List.of(cluster.pid()));
        double cpuBefore = clusterSampler.cpuSeconds();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        ProcessSampler cliSampler = new ProcessSampler(List.of(p.pid()));
        int code = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = clusterSampler.cpuSeconds() - cpuBefore + cliSampler.cpuSeconds();
        double peak = clusterSampler.peakRssMiB() + cliSampler.peakRssMiB();
        clusterSampler.close();
        cliSampler.close();
        if (code != 0) {
            throw new IllegalStateException("drover job submit " + job + " exited with " + code);
        }
        System.err.printf("%s through drover: %.1f s%n", job, wall);
        return new Measure(job, wall, cpu, peak);
    }

    /** Starts {@code ./drover local} and waits for its "ready" line. */
    private static Process startCluster(Path dir, int port) throws IOException {
        List<String> cmd = List.of("./drover", "local", "--data-dir", dir.toString(), "--port", Integer.toString(port), "--http-port",
                Integer.toString(freePort()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            System.err.println("  local: " + line);
            if (line.startsWith("Press Ctrl-C")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe drained
                        }
                    } catch (IOException e) {
                        // the cluster ended
                    }
                }, "local-cluster-output");
                drain.setDaemon(true);
                drain.start();
                return p;
            }
        }
        throw new IllegalStateException("./drover local ended before it was ready (exit " + p.exitValue() + ")");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private BatchBench() {}
}
