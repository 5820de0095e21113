package io.drover.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What every benchmark report shares: the machine line, percentiles, and where results go. */
public final class Reports {
    private Reports() {}

    /** Cores, memory, JVM and OS of this machine, for the head of a report. */
    public static String machine() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return String.format("Machine: %d CPUs, %.1f GiB memory, JVM %s (%s), %s %s; %s.",
                Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
                System.getProperty("java.version"), System.getProperty("java.vm.name"), os.getName(), os.getArch(), LocalDate.now());
    }

    /** The p-th percentile (0..1) of the values, by the nearest-rank method. */
    public static double percentile(List<? extends Number> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values.size());
        for (Number n : values) {
            sorted.add(n.doubleValue());
        }
        Collections.sort(sorted);
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
        return sorted.get(Math.max(0, i));
    }

    /** benchmarks/results/ (relative to the working directory, the repository root under ./drover). */
    public static Path resultsDir() throws IOException {
        return Files.createDirectories(Path.of("benchmarks", "results"));
    }

    /** Writes {@code benchmarks/results/NAME-DATE.md} and prints it. */
    public static Path write(String name, String markdown) throws IOException {
        Path file = resultsDir().resolve(name + "-" + LocalDate.now() + ".md");
        Files.writeString(file, markdown);
        System.out.println(markdown);
        System.out.println("written to " + file);
        return file;
    }

    /** Deletes a directory tree, best effort. */
    public static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
