package io.drover.job.task;

import io.drover.connectors.JobCommitter;
import io.drover.job.shuffle.ShuffleConfig;
import io.drover.job.shuffle.ShuffleFetcher;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * What a task needs from the process that runs it.
 *
 * @param workDir where map outputs ({@link io.drover.job.shuffle.ShuffleFiles}) and spills go; on
 *     an agent, the directory its shuffle service serves
 * @param fetcher reads the map outputs a reduce task needs
 * @param shuffle how map outputs are written
 * @param committers the job's output committer, by stage id, for stages that write to a sink
 */
public record TaskEnv(Path workDir, ShuffleFetcher fetcher, ShuffleConfig shuffle,
        IntFunction<JobCommitter<?>> committers) {}
