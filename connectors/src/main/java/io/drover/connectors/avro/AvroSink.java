package io.drover.connectors.avro;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Sink;
import io.drover.connectors.file.FileSink;
import io.drover.connectors.file.FileSinkConfig;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro records into {@code part-NNNNN.avro} container files of an output directory, one per
 * committed task, committed atomically per job (see {@link FileSink}); the format is
 * {@link AvroFormat}. An {@link AvroSource} reads the output back, split at its sync markers.
 */
public final class AvroSink implements Sink<GenericRecord> {

    private final FileSink<GenericRecord> files;

    public AvroSink(FileSinkConfig config, Schema schema, AvroCodec codec, int syncIntervalBytes) {
        this.files = new FileSink<>(config, new AvroFormat(schema, codec, syncIntervalBytes));
    }

    /** Avro's default block size (64 KiB). */
    public AvroSink(FileSinkConfig config, Schema schema, AvroCodec codec) {
        this(config, schema, codec, AvroFormat.DEFAULT_SYNC_INTERVAL_BYTES);
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
