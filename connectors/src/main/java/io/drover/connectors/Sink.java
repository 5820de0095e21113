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
}
