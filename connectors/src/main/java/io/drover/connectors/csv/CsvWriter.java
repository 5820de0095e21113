package io.drover.connectors.csv;

import io.drover.connectors.Writer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes records as RFC 4180 CSV rows ended by CRLF. A field is quoted only when it must be: when it
 * holds the separator, a quote (written doubled), CR or LF, and when it is the empty string, so that
 * it reads back as "" while a null is written as nothing and reads back as null.
 */
public final class CsvWriter implements Writer<GenericRecord> {

    private static final byte[] CRLF = {'\r', '\n'};

    private final OutputStream out;
    private final char separator;
    private final int fieldCount;
    private final StringBuilder line = new StringBuilder(256);
    private boolean closed;

    CsvWriter(OutputStream out, Schema schema, boolean header, char separator) throws IOException {
        this.out = out;
        this.separator = separator;
        this.fieldCount = schema.getFields().size();
        if (header) {
            List<Schema.Field> fields = schema.getFields();
            for (int i = 0; i < fieldCount; i++) {
                if (i > 0) {
                    line.append(separator);
                }
                appendField(fields.get(i).name());
            }
            endLine();
        }
    }

    @Override
    public void write(GenericRecord record) throws IOException {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        for (int i = 0; i < fieldCount; i++) {
            if (i > 0) {
                line.append(separator);
            }
            Object v = record.get(i);
            if (v != null) {
                appendField(v.toString());
            }
        }
        endLine();
    }

    private void endLine() throws IOException {
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
        line.setLength(0);
    }

    private void appendField(String s) {
        boolean quote = s.isEmpty();
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == separator || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            line.append(s);
            return;
        }
        line.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                line.append('"');
            }
            line.append(c);
        }
        line.append('"');
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
