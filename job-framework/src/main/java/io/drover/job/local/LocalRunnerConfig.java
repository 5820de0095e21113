package io.drover.job.local;

import io.drover.job.shuffle.ShuffleConfig;
import java.nio.file.Path;

/**
 * Configuration of a {@link LocalRunner}, validated once at construction.
 *
 * @param threads tasks run at once; default 2
 * @param maxAttempts attempts per task before the job fails; default {@value #DEFAULT_MAX_ATTEMPTS}
 * @param workRoot where each job's work directory (shuffle files, spills) is created; null for
 *     the system temporary directory
 * @param shuffle how map outputs are written
 * @param shipPlan whether every task runs from a freshly deserialized copy of the plan, as an
 *     executor would (proves the job is shippable); default true
 */
public record LocalRunnerConfig(int threads, int maxAttempts, Path workRoot, ShuffleConfig shuffle, boolean shipPlan) {

    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    public LocalRunnerConfig {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be 1 to 256: " + threads);
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 20: " + maxAttempts);
        }
        if (shuffle == null) {
            throw new IllegalArgumentException("shuffle config must be set");
        }
    }

    public static LocalRunnerConfig defaults() {
        return new LocalRunnerConfig(2, DEFAULT_MAX_ATTEMPTS, null, ShuffleConfig.defaults(), true);
    }

    public LocalRunnerConfig withThreads(int value) {
        return new LocalRunnerConfig(value, maxAttempts, workRoot, shuffle, shipPlan);
    }

    public LocalRunnerConfig withMaxAttempts(int value) {
        return new LocalRunnerConfig(threads, value, workRoot, shuffle, shipPlan);
    }

    public LocalRunnerConfig withWorkRoot(Path value) {
        return new LocalRunnerConfig(threads, maxAttempts, value, shuffle, shipPlan);
    }

    public LocalRunnerConfig withShuffle(ShuffleConfig value) {
        return new LocalRunnerConfig(threads, maxAttempts, workRoot, value, shipPlan);
    }
}
