package io.drover.connectors.avro;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Configuration of an {@link AvroSource}, validated once at construction. Build it with
 * {@link #of} and the {@code with...} methods.
 *
 * @param paths files, directories and globs to read (see {@link io.drover.connectors.file.InputPaths})
 * @param readerSchema the schema records are read as, resolved against each file's writer schema
 *     (Avro schema resolution: fields the reader adds need defaults, fields it drops are skipped,
 *     types may be promoted); null to read as the writer schema of the first non-empty file
 * @param minSplitSizeBytes the smallest split worth a task; default {@value #DEFAULT_MIN_SPLIT_SIZE_BYTES}
 */
public record AvroSourceConfig(List<String> paths, Schema readerSchema, long minSplitSizeBytes) {

    public static final long DEFAULT_MIN_SPLIT_SIZE_BYTES = 1L << 20;

    public AvroSourceConfig {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("an Avro source needs at least one path");
        }
        if (minSplitSizeBytes < 1) {
            throw new IllegalArgumentException("minSplitSizeBytes must be at least 1: " + minSplitSizeBytes);
        }
    }

    /** The defaults: read {@code paths} as the first file's writer schema. */
    public static AvroSourceConfig of(String... paths) {
        return new AvroSourceConfig(List.of(paths), null, DEFAULT_MIN_SPLIT_SIZE_BYTES);
    }

    public AvroSourceConfig withReaderSchema(Schema value) {
        return new AvroSourceConfig(paths, value, minSplitSizeBytes);
    }

    public AvroSourceConfig withMinSplitSizeBytes(long value) {
        return new AvroSourceConfig(paths, readerSchema, value);
    }
}
