package io.drover.connectors.file;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Sink;
import java.io.IOException;

/**
 * Files in an output directory, written with an atomic commit per job, in any {@link FileFormat}.
 *
 * <p>Layout while a job runs, all under {@code <output>/_temporary/<jobId>/}:
 *
 * <pre>
 *   &lt;taskId&gt;-&lt;attempt&gt;/part&lt;ext&gt;   what an attempt is writing
 *   committed/&lt;taskId&gt;/part&lt;ext&gt;    what a committed attempt wrote (its directory, renamed)
 * </pre>
 *
 * <p>{@code commitTask} renames the attempt's directory to {@code committed/<taskId>}; the rename
 * fails if that exists, so the first attempt to commit wins even across processes sharing the
 * filesystem, and later ones are deleted. {@code commitJob} renames the committed part files into
 * {@code <output>/} as {@code part-00000<ext>}, {@code part-00001<ext>}, ... in task id order
 * (numeric ids numerically), writes {@code _SUCCESS} (holding the job id), and deletes {@code _temporary/<jobId>}.
 * Renames are atomic ({@code ATOMIC_MOVE}) where the filesystem allows; readers should wait for
 * {@code _SUCCESS}.
 *
 * @param <T> the type of the records written
 */
public final class FileSink<T> implements Sink<T> {

    private final FileSinkConfig config;
    private final FileFormat<T> format;

    public FileSink(FileSinkConfig config, FileFormat<T> format) {
        this.config = config;
        this.format = format;
    }

    @Override
    public JobCommitter<T> beginJob(String jobId) throws IOException {
        return FileJobCommitter.begin(config, format, jobId);
    }

    /** Whether {@code _SUCCESS} in the output names this job: written last by its commit. */
    @Override
    public boolean committed(String jobId) throws IOException {
        return FileJobCommitter.committedBy(config.output(), jobId);
    }

    /**
     * Joins a job begun by another process on the same output (a shared filesystem): checks that
     * {@code _temporary/<jobId>} exists.
     */
    @Override
    public JobCommitter<T> attachJob(String jobId) throws IOException {
        return FileJobCommitter.attach(config, format, jobId);
    }
}
