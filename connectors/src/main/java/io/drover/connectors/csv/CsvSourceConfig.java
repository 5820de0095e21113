package io.drover.connectors.csv;

import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Configuration of a {@link CsvSource}, validated once at construction. Build it with
 * {@link #of} and the {@code with...} methods.
 *
 * @param paths files, directories and globs to read (see {@link io.drover.connectors.file.InputPaths})
 * @param separator the field separator, one ASCII character other than {@code "}, CR and LF; default ','
 * @param header whether the first row of every file is a header (skipped; names the inferred fields)
 * @param schema an explicit Avro record schema of primitive fields (string, int, long, float,
 *     double, boolean, or a union of one of them with null), matched to columns by position; null
 *     to infer one from the first {@code inferenceRows} rows of the first non-empty file
 * @param inferenceRows how many data rows inference samples; default {@value #DEFAULT_INFERENCE_ROWS}
 * @param policy what to do with a malformed row; default {@link MalformedRowPolicy#FAIL}
 * @param rejectedRowsDir under {@link MalformedRowPolicy#SKIP}, the directory where each split
 *     appends its rejected rows to its own file; null to only count them
 * @param maxRejectedBytes the most bytes of rejected rows one split writes; later rejected rows are
 *     still counted but not written; default {@value #DEFAULT_MAX_REJECTED_BYTES}
 * @param minSplitSizeBytes the smallest split worth a task; default {@value #DEFAULT_MIN_SPLIT_SIZE_BYTES}
 * @param maxRecordBytes the longest row (all its lines) a reader accepts; a longer one fails the
 *     read whatever the policy; default {@value #DEFAULT_MAX_RECORD_BYTES}
 */
public record CsvSourceConfig(
        List<String> paths,
        char separator,
        boolean header,
        Schema schema,
        int inferenceRows,
        MalformedRowPolicy policy,
        Path rejectedRowsDir,
        long maxRejectedBytes,
        long minSplitSizeBytes,
        int maxRecordBytes) {

    public static final int DEFAULT_INFERENCE_ROWS = 1000;
    public static final long DEFAULT_MAX_REJECTED_BYTES = 16L << 20;
    public static final long DEFAULT_MIN_SPLIT_SIZE_BYTES = 1L << 20;
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 << 20;

    public CsvSourceConfig {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("a CSV source needs at least one path");
        }
        if (separator > 127 || separator == '"' || separator == '\r' || separator == '\n') {
            throw new IllegalArgumentException("separator must be ASCII and not '\"', CR or LF: " + (int) separator);
        }
        if (schema != null) {
            CsvSchemas.checkSupported(schema);
        }
        if (inferenceRows < 1) {
            throw new IllegalArgumentException("inferenceRows must be at least 1: " + inferenceRows);
        }
        if (policy == null) {
            throw new IllegalArgumentException("policy must be set");
        }
        if (maxRejectedBytes < 0) {
            throw new IllegalArgumentException("maxRejectedBytes must not be negative: " + maxRejectedBytes);
        }
        if (minSplitSizeBytes < 1) {
            throw new IllegalArgumentException("minSplitSizeBytes must be at least 1: " + minSplitSizeBytes);
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 1: " + maxRecordBytes);
        }
    }

    /** Comma separated, a header row, an inferred schema, failing on a malformed row. */
    public static CsvSourceConfig of(String... paths) {
        return new CsvSourceConfig(List.of(paths), ',', true, null, DEFAULT_INFERENCE_ROWS,
                MalformedRowPolicy.FAIL, null, DEFAULT_MAX_REJECTED_BYTES, DEFAULT_MIN_SPLIT_SIZE_BYTES,
                DEFAULT_MAX_RECORD_BYTES);
    }

    public CsvSourceConfig withSeparator(char value) {
        return new CsvSourceConfig(paths, value, header, schema, inferenceRows, policy, rejectedRowsDir,
                maxRejectedBytes, minSplitSizeBytes, maxRecordBytes);
    }

    public CsvSourceConfig withHeader(boolean value) {
        return new CsvSourceConfig(paths, separator, value, schema, inferenceRows, policy, rejectedRowsDir,
                maxRejectedBytes, minSplitSizeBytes, maxRecordBytes);
    }

    public CsvSourceConfig withSchema(Schema value) {
        return new CsvSourceConfig(paths, separator, header, value, inferenceRows, policy, rejectedRowsDir,
                maxRejectedBytes, minSplitSizeBytes, maxRecordBytes);
    }

    public CsvSourceConfig withInferenceRows(int value) {
        return new CsvSourceConfig(paths, separator, header, schema, value, policy, rejectedRowsDir,
                maxRejectedBytes, minSplitSizeBytes, maxRecordBytes);
    }

    /** FAIL; or SKIP, writing rejected rows under {@code rejectedDir} (null: only count them). */
    public CsvSourceConfig withPolicy(MalformedRowPolicy value, Path rejectedDir) {
        return new CsvSourceConfig(paths, separator, header, schema, inferenceRows, value, rejectedDir,
                maxRejectedBytes, minSplitSizeBytes, maxRecordBytes);
    }

    public CsvSourceConfig withMaxRejectedBytes(long value) {
        return new CsvSourceConfig(paths, separator, header, schema, inferenceRows, policy, rejectedRowsDir,
                value, minSplitSizeBytes, maxRecordBytes);
    }

    public CsvSourceConfig withMinSplitSizeBytes(long value) {
        return new CsvSourceConfig(paths, separator, header, schema, inferenceRows, policy, rejectedRowsDir,
                maxRejectedBytes, value, maxRecordBytes);
    }

    public CsvSourceConfig withMaxRecordBytes(int value) {
        return new CsvSourceConfig(paths, separator, header, schema, inferenceRows, policy, rejectedRowsDir,
                maxRejectedBytes, minSplitSizeBytes, value);
    }
}
