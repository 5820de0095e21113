package io.drover.connectors.csv;

import io.drover.connectors.Reader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads the rows of one CSV split as Avro records (see {@link CsvSource}). A row that cannot be a
 * record (unterminated quote, a stray quote, the wrong number of fields, a value that is not of its
 * field's type) fails the read or is skipped and counted, by the configured {@link MalformedRowPolicy}.
 */
public final class CsvReader implements Reader<GenericRecord> {

    static final int READ_BUFFER_BYTES = 64 << 10;

    private final CsvFramer framer;
    private final CsvRowParser parser;
    private final String file;
    private final Schema schema;
    private final Schema.Field[] fields;
    private final Schema.Type[] types;
    private final boolean[] nullable;
    private final MalformedRowPolicy policy;
    private final Path rejectedFile;
    private final long maxRejectedBytes;
    private boolean skipHeader;
    private GenericRecord current;
    private boolean done;
    private long rejectedRows;
    private long rejectedBytes;
    private boolean rejectedTruncated;
    private OutputStream rejected;

    CsvReader(Path file, long start, long length, long firstLine, Schema schema, CsvSourceConfig config,
            Path rejectedFile) throws IOException {
        this.file = file.toString();
        this.framer = new CsvFramer(file, start, start + length, firstLine, true, config.maxRecordBytes(),
                READ_BUFFER_BYTES);
        this.parser = new CsvRowParser(config.separator());
        this.schema = schema;
        List<Schema.Field> fs = schema.getFields();
        this.fields = fs.toArray(new Schema.Field[0]);
        this.types = new Schema.Type[fields.length];
        this.nullable = new boolean[fields.length];
        for (int i = 0; i < fields.length; i++) {
            types[i] = CsvSchemas.valueType(fields[i].schema());
            nullable[i] = CsvSchemas.nullable(fields[i].schema());
        }
        this.policy = config.policy();
        this.rejectedFile = rejectedFile;
        this.maxRejectedBytes = config.maxRejectedBytes();
        this.skipHeader = config.header() && start == 0;
    }

    @Override
    public boolean next() throws IOException {
        if (done) {
            return false;
        }
        current = null;
        while (framer.next()) {
            if (skipHeader) {
                skipHeader = false;
                continue;
            }
            int len = framer.length();
            if (len == 0) {
                continue; // a blank line
            }
            String reason = framer.unterminated()
                    ? "unterminated quoted field (the file ends inside quotes)"
                    : parser.parse(framer.bytes(), len);
            if (reason == null) {
                reason = toRecord();
            }
            if (reason == null) {
                return true;
            }
            reject(reason);
        }
        done = true;
        if (rejected != null) {
            rejected.flush(); // complete once the split is read, before close
        }
        return false;
    }

    /** Builds {@link #current} from the parsed fields; null, or why the row is malformed. */
    private String toRecord() {
        List<String> values = parser.fields();
        if (values.size() != fields.length) {
            return "expected " + fields.length + " fields, found " + values.size();
        }
        GenericData.Record record = new GenericData.Record(schema);
        try {
            for (int i = 0; i < fields.length; i++) {
                record.put(i, CsvSchemas.convert(fields[i], types[i], nullable[i], values.get(i), parser.quoted(i)));
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        current = record;
        return null;
    }

    private void reject(String reason) throws IOException {
        if (policy == MalformedRowPolicy.FAIL) {
            throw new CsvFormatException(file, framer.line(), reason);
        }
        rejectedRows++;
        if (rejectedFile == null || rejectedTruncated) {
            return;
        }
        byte[] head = ("# " + file + ":" + framer.line() + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        long entry = head.length + framer.length() + 1L;
        if (rejected == null) {
            Files.createDirectories(rejectedFile.getParent());
            // Truncated on open, so a retried task attempt rewrites its file rather than repeat rows.
            rejected = new BufferedOutputStream(Files.newOutputStream(rejectedFile));
        }
        if (rejectedBytes + entry > maxRejectedBytes) {
            rejectedTruncated = true;
            rejected.write(("# further rejected rows are counted but not written (maxRejectedBytes "
                    + maxRejectedBytes + ")\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        rejected.write(head);
        rejected.write(framer.bytes(), 0, framer.length());
        rejected.write('\n');
        rejectedBytes += entry;
    }

    @Override
    public GenericRecord current() {
        if (current == null) {
            throw new IllegalStateException("no current record: call next() first, and only while it returns true");
        }
        return current;
    }

    /** How many malformed rows this reader skipped so far (always 0 under {@link MalformedRowPolicy#FAIL}). */
    public long rejectedRows() {
        return rejectedRows;
    }

    /** The file this reader writes its rejected rows to, or null when they are only counted. */
    public Path rejectedRowsFile() {
        return rejectedFile;
    }

    /** The schema of the records. */
    public Schema schema() {
        return schema;
    }

    @Override
    public void close() throws IOException {
        done = true;
        try {
            framer.close();
        } finally {
            if (rejected != null) {
                rejected.close();
                rejected = null;
            }
        }
    }
}
