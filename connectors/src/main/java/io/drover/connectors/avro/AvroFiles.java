package io.drover.connectors.avro;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableFileInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/** Opening container files with clear errors, shared by the planner and the readers. */
final class AvroFiles {

    private AvroFiles() {}

    /**
     * Opens {@code file}, reading its header only, to be read as {@code readerSchema} (null: as its
     * writer schema).
     *
     * @throws IOException naming the file if it is not an Avro container file, or if its writer
     *     schema cannot be read as {@code readerSchema}
     */
    static DataFileReader<GenericRecord> open(Path file, Schema readerSchema) throws IOException {
        SeekableFileInput in = new SeekableFileInput(file.toFile());
        DataFileReader<GenericRecord> reader;
        try {
            reader = new DataFileReader<>(in, new GenericDatumReader<>(null, readerSchema));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw new IOException(file + ": not a readable Avro container file: " + oneLine(e), e);
        }
        if (readerSchema != null) {
            try {
                checkCompatible(file, reader.getSchema(), readerSchema);
            } catch (IOException e) {
                reader.close();
                throw e;
            }
        }
        return reader;
    }

    /** The writer schema in {@code file}'s header. */
    static Schema writerSchema(Path file) throws IOException {
        try (DataFileReader<GenericRecord> reader = open(file, null)) {
            return reader.getSchema();
        }
    }

    static void checkCompatible(Path file, Schema writer, Schema reader) throws IOException {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            StringBuilder why = new StringBuilder();
            for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
                if (!why.isEmpty()) {
                    why.append("; ");
                }
                why.append(i.getMessage()).append(" at ").append(i.getLocation());
            }
            throw new IOException(file + ": its writer schema " + writer.getFullName()
                    + " cannot be read as the reader schema " + reader.getFullName() + ": " + why);
        }
    }

    /** An exception's message on one line, with its type when it has none. */
    static String oneLine(Throwable e) {
        Throwable cause = e;
        // Avro wraps the real failure (IOException, DataFormatException) in AvroRuntimeException.
        while (cause.getCause() != null && cause.getCause() != cause
                && (cause.getMessage() == null || cause.getMessage().startsWith(cause.getCause().getClass().getName()))) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return (message == null || message.isBlank() ? cause.getClass().getSimpleName() : message)
                .replace('\n', ' ');
    }
}
