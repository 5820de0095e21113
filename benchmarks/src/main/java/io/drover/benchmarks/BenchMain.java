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
        new Runner(options).run();
    }

    private BenchMain() {}
}
