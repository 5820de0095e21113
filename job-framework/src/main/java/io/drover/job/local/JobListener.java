package io.drover.job.local;

import io.drover.job.plan.StagePlan;
import io.drover.job.task.TaskFailedException;
import io.drover.job.task.TaskResult;

/**
 * Hears a running job's progress: what a progress bar or a job log needs. Called from task
 * threads, possibly at once; implementations must be thread-safe and quick, and must not throw.
 */
public interface JobListener {

    /** A stage's tasks are about to be submitted. */
    default void stageStarted(String jobId, StagePlan stage) {}

    /** A task attempt succeeded. */
    default void taskSucceeded(String jobId, TaskResult result) {}

    /**
     * A task attempt failed.
     *
     * @param willRetry whether another attempt follows; false when the task, and so the job, failed
     */
    default void taskFailed(String jobId, TaskFailedException failure, boolean willRetry) {}

    /** Every task of a stage succeeded. */
    default void stageFinished(String jobId, JobResult.StageStats stats) {}

    /** Hears nothing. */
    JobListener NONE = new JobListener() {};
}
