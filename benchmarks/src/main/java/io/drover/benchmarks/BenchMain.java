package io.drover.benchmarks;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks of this module. With no arguments: every benchmark, one fork, two
 * warm-up and three measured iterations of one second each. Any arguments are JMH's own
 * command line (for example {@code AllocatorBenchmark.fullPass -p agents=50000 -f 1}).
 */
public final class BenchMain {
    public static void main(String[] args) throws RunnerException, org.openjdk.jmh.runner.options.CommandLineOptionException {
        Options options = args.length > 0
                ? new CommandLineOptions(args)
                : new OptionsBuilder()
                        .include(AllocatorBenchmark.class.getSimpleName())
                        .forks(1)
                        .warmupIterations(2)
                        .warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                        .measurementIterations(3)
                        .measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                        .jvmArgsAppend("-Xmx8g")
                        .build();
        java.util.Collection<org.openjdk.jmh.results.RunResult> results = new Runner(options).run();
        report(args.length > 0 ? args[0] : "AllocatorBenchmark", results);
    }

    /**
     * Writes benchmarks/results/NAME-DATE.md: NAME from the benchmark class (CodecBenchmark is
     * "codec"), one row per benchmark method and parameter set.
     */
    static void report(String include, java.util.Collection<org.openjdk.jmh.results.RunResult> results) {
        String simple = include.contains(".") ? include.substring(0, include.indexOf('.')) : include;
        String name = simple.replace("Benchmark", "").replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
        StringBuilder table = new StringBuilder("| benchmark | parameters | score (mean) | error (99.9%) | p50 | p99 | unit |\n|---|---|---:|---:|---:|---:|---|\n");
        for (org.openjdk.jmh.results.RunResult r : results) {
            var p = r.getParams();
            StringBuilder params = new StringBuilder();
            for (String key : p.getParamsKeys()) {
                params.append(params.length() == 0 ? "" : ", ").append(key).append('=').append(p.getParam(key));
            }
            var score = r.getPrimaryResult();
            boolean sampled = p.getMode() == org.openjdk.jmh.annotations.Mode.SampleTime;
            String p50 = sampled ? String.format("%.3f", score.getStatistics().getPercentile(50)) : "";
            String p99 = sampled ? String.format("%.3f", score.getStatistics().getPercentile(99)) : "";
            table.append(String.format("| %s | %s | %.3f | %.3f | %s | %s | %s |%n", p.getBenchmark().replaceFirst(".*\\.([A-Za-z]+\\.[A-Za-z0-9]+)$", "$1"),
                    params, score.getScore(), score.getScoreError(), p50, p99, score.getScoreUnit()));
        }
        try {
            Reports.write(name, "# " + simple + " (JMH, " + java.time.LocalDate.now() + ")\n\n" + Reports.machine() + "\n\n" + table);
        } catch (java.io.IOException e) {
            System.err.println("could not write the report: " + e.getMessage());
        }
    }

    private BenchMain() {}
}
