package io.drover.connectors;

import java.io.IOException;

/**
 * The output of one job: writers for its task attempts, and the task- and job-level commits.
 *
 * <p>Tasks are identified by a task id, unique in the job, and an attempt number; a task may run
 * several attempts (retries, speculative duplicates), possibly at once. At most one attempt per
 * task is committed: the first one to call {@link #commitTask}. A committer is safe to call from
 * several threads for different attempts.
 *
 * @param <T> the type of the records written
 */
public interface JobCommitter<T> {

    /** The job this committer belongs to. */
    String jobId();

    /**
     * Opens a writer for one attempt of one task. What it writes stays invisible until the attempt
     * is committed and then the job.
     *
     * @param taskId unique in the job; letters, digits, '-', '_' and '.'
     * @param attempt 0 or more, unique per task
     * @throws IllegalStateException if this attempt already has a writer, or the job has ended
     * @throws IOException if the writer cannot be created
     */
    Writer<T> openWriter(String taskId, int attempt) throws IOException;

    /**
     * Commits one attempt of a task: its output becomes the task's output, unless another attempt
     * of the task was committed first, in which case this attempt's output is discarded. Call it
     * after the attempt's writer was closed successfully.
     *
     * @return true if this attempt's output is now the task's output; false if another attempt had
     *     already won, and this one was discarded
     * @throws IllegalStateException if the attempt has no output (no writer was opened)
     * @throws IOException if the commit fails; the attempt may then be aborted and retried
     */
    boolean commitTask(String taskId, int attempt) throws IOException;

    /**
     * Discards what one attempt of a task wrote. Idempotent; aborting an attempt that wrote
     * nothing, or was already aborted, does nothing. Aborting a committed attempt does nothing
     * either: a committed task stays committed.
     */
    void abortTask(String taskId, int attempt) throws IOException;

    /**
     * Publishes the output of every committed task at once and ends the job. Output of attempts
     * that were never committed (failed, aborted, losing duplicates) is deleted and never visible.
     *
     * @throws IllegalStateException if the job has already ended, or the output changed so that it
     *     can no longer take this job
     * @throws IOException if publishing fails; the job's output is then incomplete, and the job
     *     should be aborted and rerun
     */
    void commitJob() throws IOException;

    /** Deletes everything the job wrote and ends it. Idempotent. */
    void abortJob() throws IOException;
}
