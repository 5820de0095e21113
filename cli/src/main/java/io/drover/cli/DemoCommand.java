package io.drover.cli;

import io.drover.api.scheduler.ResourceSpec;
import io.drover.cli.local.LocalCluster;
import io.drover.framework.exec.ExecFramework;
import io.drover.framework.exec.ExecRequest;
import io.drover.framework.exec.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a local cluster (broker, master, 2 agents), run a handful of commands on it as tasks,",
            "print what happened, and stop it again. Until the job framework lands, these are exec tasks."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "where the demo cluster keeps its data (default: a fresh temporary directory, removed afterwards)")
    Path dataDir;

    private static final List<List<String>> COMMANDS = List.of(
            List.of("sh", "-c", "echo \"hello from $(hostname), pid $$, in $(pwd)\""),
            List.of("sh", "-c", "uname -srm"),
            List.of("sh", "-c", "seq 1 100000 | awk '{s+=$1} END {printf \"sum of 1..100000 = %d\\n\", s}'"),
            List.of("sh", "-c", "echo 'this one fails on purpose' >&2; exit 3"),
            List.of("sh", "-c", "ls | wc -l | xargs echo 'files in the sandbox:'"));

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("drover-demo-");
        long start = System.nanoTime();
        System.out.println("Starting a local Drover cluster (Kafka broker, master, 2 agents) in " + dir + " ...");
        try (LocalCluster cluster = LocalCluster.start(dir, 2, 0)) {
            System.out.printf("Ready in %.1f s:%n%s%n", (System.nanoTime() - start) / 1e9, cluster.describe());
            int failures = 0;
            for (List<String> command : COMMANDS) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                long t0 = System.nanoTime();
                ExecResult result = new ExecFramework(cluster.bootstrap(), Clock.systemUTC(),
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                        .run(new ExecRequest("demo", new ResourceSpec(0.5, 64, 0, 0), command, Map.of(),
                                Duration.ofSeconds(20), Duration.ofSeconds(30)));
                System.out.printf("$ %s%n", String.join(" ", command.subList(2, command.size())));
                System.out.print(indent(out.toString(StandardCharsets.UTF_8)));
                for (String line : err.toString(StandardCharsets.UTF_8).split("\n")) {
                    if (!line.startsWith("[drover] launching") && !line.isBlank()) {
                        System.out.println("  " + line);
                    }
                }
                System.out.printf("  -> %s, exit code %d, %d ms end to end%n%n", result.phase(), result.exitCode(),
                        (System.nanoTime() - t0) / 1_000_000);
                if (result.exitCode() == ExecFramework.DROVER_ERROR) {
                    failures++;
                }
            }
            System.out.println("Stopping the cluster.");
            return failures == 0 ? 0 : 1;
        } finally {
            if (dataDir == null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("drover demo: could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static String indent(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                sb.append("  ").append(line).append('\n');
            }
        }
        return sb.toString();
    }
}
