package io.drover.connectors;

import java.io.IOException;

/**
 * Where a job writes its output, with an atomic commit per job.
 *
 * <p>The lifecycle: {@link #beginJob} once per job; then, per task attempt,
 * {@link JobCommitter#openWriter}, {@link Writer#write} and {@link Writer#close}, followed by
 * {@link JobCommitter#commitTask} or {@link JobCommitter#abortTask}; finally
 * {@link JobCommitter#commitJob} or {@link JobCommitter#abortJob}. Nothing a job writes is visible
 * to readers of the output before {@code commitJob} returns, and after it returns exactly one
 * attempt's output per committed task is.
 *
 * @param <T> the type of the records written
 */
public interface Sink<T> {

    /**
     * Starts a job that writes to this sink.
     *
     * @param jobId unique among the jobs writing to this sink at the same time; letters, digits,
     *     '-', '_' and '.'
     * @throws IllegalStateException if the output cannot take this job (for a file sink: it already
     *     holds data and overwriting was not asked for), with a message saying why
     * @throws IOException if preparing the output fails
     */
    JobCommitter<T> beginJob(String jobId) throws IOException;

    /**
     * Joins a job that another process began with {@link #beginJob} on this sink, so that a task
     * running elsewhere (an executor on an agent) can write and commit its attempts. The returned
     * committer's {@code commitJob} and {@code abortJob} belong to the process that began the job;
     * tasks only call {@code openWriter}, {@code commitTask} and {@code abortTask}.
     *
     * @throws IllegalStateException if no such job is in progress on this sink (it never began, or
     *     it already ended)
     * @throws UnsupportedOperationException if this sink cannot be shared between processes
     * @throws IOException if the sink cannot be read
     */
    default JobCommitter<T> attachJob(String jobId) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be written by tasks in other processes");
    }

    /**
     * Whether the job with this id has committed its output here: a driver that stopped between
     * {@link JobCommitter#commitJob} and recording the job's end asks before beginning the job
     * again. A sink that cannot tell answers false.
     *
     * @throws IOException if the sink cannot be read
     */
    default boolean committed(String jobId) throws IOException {
        return false;
    }
}
