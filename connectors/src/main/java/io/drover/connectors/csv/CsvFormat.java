package io.drover.connectors.csv;

import io.drover.connectors.file.FileFormat;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro records as RFC 4180 CSV part files ({@code .csv}): one row per record, fields in schema
 * order, CRLF line ends, and a header row of the field names in every part file if asked for.
 * See {@link CsvWriter} for the quoting.
 */
public final class CsvFormat implements FileFormat<GenericRecord> {

    private final Schema schema;
    private final boolean header;
    private final char separator;

    public CsvFormat(Schema schema, boolean header, char separator) {
        CsvSchemas.checkSupported(schema);
        if (separator > 127 || separator == '"' || separator == '\r' || separator == '\n') {
            throw new IllegalArgumentException("separator must be ASCII and not '\"', CR or LF: " + (int) separator);
        }
        this.schema = schema;
        this.header = header;
        this.separator = separator;
    }

    @Override
    public CsvWriter newWriter(OutputStream out) throws IOException {
        return new CsvWriter(out, schema, header, separator);
    }

    @Override
    public String extension() {
        return ".csv";
    }
}
