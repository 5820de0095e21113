package io.drover.connectors.avro;

import io.drover.connectors.Reader;
import io.drover.connectors.Source;
import io.drover.connectors.Split;
import io.drover.connectors.file.FileSplitPlan;
import io.drover.connectors.file.InputPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro container files (files, directories and globs, see {@link InputPaths}) read as
 * {@link GenericRecord}s, with any codec the file names (null, deflate, snappy, zstandard; bzip2
 * and xz only if their libraries are on the class path).
 *
 * <p><b>Splits.</b> Byte ranges of one file each, sized as for text (the total input over the
 * desired parallelism, at least {@link AvroSourceConfig#minSplitSizeBytes()}, a file's last range
 * up to 10% longer rather than leave a sliver). A range owns the blocks whose preceding sync marker
 * starts in it (see {@link AvroReader}), so the planner never reads data, only every file's header.
 * Empty (zero-byte) files give no split; a file with a header and no blocks gives splits that read
 * nothing.
 *
 * <p><b>Schema.</b> Records are read as the configured reader schema, or else as the writer schema
 * of the first non-empty file; {@link #splits} resolves it once and every split carries it, so all
 * tasks read with the same schema. The planner checks every file's writer schema against it (Avro
 * schema resolution: a field the reader adds needs a default, a field it drops is skipped, types
 * may be promoted) and fails, naming the file and the incompatibility, before any task runs.
 */
public final class AvroSource implements Source<GenericRecord> {

    /** The {@link Split#sourceType()} of this source's splits. */
    public static final String SOURCE_TYPE = "avro";

    static final String PATH = "path";
    static final String START = "start";
    static final String LENGTH = "length";
    static final String SCHEMA = "schema";


    private final AvroSourceConfig config;
    private Schema schema;

    public AvroSource(AvroSourceConfig config) {
        this.config = config;
    }

    /**
     * The schema records are read as: the configured reader schema, or the writer schema of the
     * first non-empty input file (read once, then kept).
     *
     * @throws IllegalArgumentException if no reader schema is configured and every input file is empty
     */
    public synchronized Schema schema() throws IOException {
        if (schema == null) {
            schema = config.readerSchema() != null ? config.readerSchema() : firstWriterSchema();
        }
        return schema;
    }

    private Schema firstWriterSchema() throws IOException {
        for (Path file : InputPaths.expand(config.paths())) {
            if (Files.size(file) > 0) {
                return AvroFiles.writerSchema(file);
            }
        }
        throw new IllegalArgumentException("every Avro input file of " + config.paths()
                + " is empty; configure a reader schema to read them");
    }

    @Override
    public List<Split> splits(int desiredParallelism) throws IOException {
        FileSplitPlan plan = FileSplitPlan.of(config.paths(), desiredParallelism, config.minSplitSizeBytes());
        if (plan.totalBytes() == 0) {
            return List.of();
        }
        Schema readerSchema = schema();
        String schemaJson = readerSchema.toString();
        List<Split> splits = new ArrayList<>();
        for (FileSplitPlan.SizedFile f : plan.files()) {
            if (f.size() == 0) {
                continue;
            }
            // Fails early, naming the file, if it is not Avro or its schema does not resolve.
            try (DataFileReader<GenericRecord> header = AvroFiles.open(f.path(), readerSchema)) {
                header.getSchema();
            }
            for (FileSplitPlan.Range r : plan.ranges(f.size())) {
                splits.add(split(f.path(), r.start(), r.length(), schemaJson));
            }
        }
        return List.copyOf(splits);
    }

    private static Split split(Path file, long start, long length, String schemaJson) {
        return new Split(SOURCE_TYPE, file + "@" + start, length, List.of(), Map.of(
                PATH, file.toString(),
                START, Long.toString(start),
                LENGTH, Long.toString(length),
                SCHEMA, schemaJson));
    }

    @Override
    public Reader<GenericRecord> open(Split split) throws IOException {
        if (!SOURCE_TYPE.equals(split.sourceType())) {
            throw new IllegalArgumentException("not an " + SOURCE_TYPE + " split: " + split.id()
                    + " is of type " + split.sourceType());
        }
        Schema readerSchema = new Schema.Parser().parse(split.require(SCHEMA));
        return AvroReader.open(Path.of(split.require(PATH)), Long.parseLong(split.require(START)),
                Long.parseLong(split.require(LENGTH)), readerSchema);
    }
}
