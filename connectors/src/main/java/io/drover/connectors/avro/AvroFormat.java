package io.drover.connectors.avro;

import io.drover.connectors.Writer;
import io.drover.connectors.file.FileFormat;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro container part files ({@code .avro}) of one schema, compressed with an {@link AvroCodec},
 * with a sync marker (a block boundary, and so a possible split point) about every
 * {@code syncIntervalBytes} of uncompressed data.
 */
public final class AvroFormat implements FileFormat<GenericRecord> {

    /** Avro's own default block size. */
    public static final int DEFAULT_SYNC_INTERVAL_BYTES = DataFileConstants.DEFAULT_SYNC_INTERVAL;

    private final Schema schema;
    private final AvroCodec codec;
    private final int syncIntervalBytes;

    /**
     * @param syncIntervalBytes 32 to 2^30 bytes: the uncompressed size of a block; a reader holds one block
     */
    public AvroFormat(Schema schema, AvroCodec codec, int syncIntervalBytes) {
        if (schema == null || codec == null) {
            throw new IllegalArgumentException("an Avro format needs a schema and a codec");
        }
        if (syncIntervalBytes < 32 || syncIntervalBytes > (1 << 30)) {
            throw new IllegalArgumentException("syncIntervalBytes must be 32 to 2^30: " + syncIntervalBytes);
        }
        this.schema = schema;
        this.codec = codec;
        this.syncIntervalBytes = syncIntervalBytes;
    }

    @Override
    public Writer<GenericRecord> newWriter(OutputStream out) throws IOException {
        DataFileWriter<GenericRecord> file = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema));
        file.setCodec(codec.factory());
        file.setSyncInterval(syncIntervalBytes);
        try {
            file.create(schema, out);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        return new AvroFileWriter(file, schema);
    }

    @Override
    public String extension() {
        return ".avro";
    }

    /** Appends records to one container file; a record that does not fit the schema is refused. */
    private static final class AvroFileWriter implements Writer<GenericRecord> {
        private final DataFileWriter<GenericRecord> file;
        private final Schema schema;
        private boolean closed;

        AvroFileWriter(DataFileWriter<GenericRecord> file, Schema schema) {
            this.file = file;
            this.schema = schema;
        }

        /**
         * @throws IllegalArgumentException if the record does not fit the sink's schema (the
         *     attempt should then be aborted: the file may hold part of a block)
         */
        @Override
        public void write(GenericRecord record) throws IOException {
            if (closed) {
                throw new IllegalStateException("writer is closed");
            }
            try {
                file.append(record);
            } catch (DataFileWriter.AppendWriteException e) {
                throw new IllegalArgumentException("record does not fit the Avro schema "
                        + schema.getFullName() + ": " + AvroFiles.oneLine(e), e);
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                file.close();
            }
        }
    }
}
