package io.drover.connectors.csv;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Sink;
import io.drover.connectors.file.FileSink;
import io.drover.connectors.file.FileSinkConfig;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro records as RFC 4180 CSV into {@code part-NNNNN.csv} files of an output directory, committed
 * atomically per job (see {@link FileSink}); the format is {@link CsvFormat}.
 */
public final class CsvSink implements Sink<GenericRecord> {

    private final FileSink<GenericRecord> files;

    /**
     * @param header whether every part file starts with a header row of the field names
     */
    public CsvSink(FileSinkConfig config, Schema schema, boolean header, char separator) {
        this.files = new FileSink<>(config, new CsvFormat(schema, header, separator));
    }

    /** Comma separated, with a header row. */
    public CsvSink(FileSinkConfig config, Schema schema) {
        this(config, schema, true, ',');
    }

    @Override
    public JobCommitter<GenericRecord> beginJob(String jobId) throws IOException {
        return files.beginJob(jobId);
    }

    @Override
    public JobCommitter<GenericRecord> attachJob(String jobId) throws IOException {
        return files.attachJob(jobId);
    }

    @Override
    public boolean committed(String jobId) throws IOException {
        return files.committed(jobId);
    }
}
