package io.drover.connectors.text;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Sink;
import io.drover.connectors.file.FileSink;
import io.drover.connectors.file.FileSinkConfig;
import java.io.IOException;

/**
 * Lines of UTF-8 text into {@code part-NNNNN} files of an output directory, committed atomically
 * per job (see {@link FileSink}). Writers are {@link TextLineWriter}s.
 */
public final class TextLineSink implements Sink<String> {

    private final FileSink<String> files;

    public TextLineSink(FileSinkConfig config) {
        this.files = new FileSink<>(config, new TextLineFormat());
    }

    @Override
    public JobCommitter<String> beginJob(String jobId) throws IOException {
        return files.beginJob(jobId);
    }

    @Override
    public JobCommitter<String> attachJob(String jobId) throws IOException {
        return files.attachJob(jobId);
    }

    @Override
    public boolean committed(String jobId) throws IOException {
        return files.committed(jobId);
    }
}
