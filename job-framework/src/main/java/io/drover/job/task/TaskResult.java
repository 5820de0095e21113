package io.drover.job.task;

/**
 * What a successful task attempt did.
 *
 * @param recordsOut records written (to the shuffle, the sink or the result)
 * @param bytesOut bytes of map output written (after compression), 0 for a sink
 * @param spills sorted runs spilled to disk before the final merge
 * @param committed for a sink task, whether this attempt's output became the task's output
 *     (false when another attempt committed first)
 */
public record TaskResult(int stage, int partition, int attempt, long recordsOut, long bytesOut, int spills,
        boolean committed) {}
