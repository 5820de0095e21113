package io.drover.connectors.csv;

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
import org.apache.avro.generic.GenericRecord;

/**
 * RFC 4180 CSV files (files, directories and globs, see {@link InputPaths}) read as Avro
 * {@link GenericRecord}s.
 *
 * <p><b>Splits.</b> A quoted field may hold line ends, so a byte offset alone does not say whether a
 * row starts there. Splits are therefore cut at row starts found by the planner: {@link #splits}
 * reads every file that needs more than one split once, front to back, with the quote-parity rule
 * of {@link CsvFramer} (a row ends at an LF after an even number of quotes), and starts a new split
 * at the first row start at least one split size past the previous one (a file's last split may be
 * 10% longer rather than leave a sliver). Each split records its exact start offset and first line
 * number, so a reader never guesses: it reads the rows that start in its range, the last one to its
 * end, and every row is read exactly once whatever the quoting. The cost is one sequential read of
 * the input on the planner (a byte loop, no parsing); a file no larger than 1.1 split sizes is not
 * read there. Empty files give no split. Compressed files are not supported.
 *
 * <p><b>Schema.</b> The configured one, or one inferred from the first rows of the first non-empty
 * file (see {@link CsvSchemas#infer}); {@link #splits} resolves it once and every split carries it,
 * so all tasks read with the same schema. With a header, the first row of every file is skipped.
 */
public final class CsvSource implements Source<GenericRecord> {

    /** The {@link Split#sourceType()} of this source's splits. */
    public static final String SOURCE_TYPE = "csv";

    static final String PATH = "path";
    static final String START = "start";
    static final String LENGTH = "length";
    static final String FIRST_LINE = "firstLine";
    static final String SCHEMA = "schema";


    private final CsvSourceConfig config;
    private Schema schema;

    public CsvSource(CsvSourceConfig config) {
        this.config = config;
    }

    public CsvSourceConfig config() {
        return config;
    }

    /**
     * The schema of the records: the configured one, or the one inferred from the input (read once,
     * then kept).
     */
    public synchronized Schema schema() throws IOException {
        if (schema == null) {
            schema = config.schema() != null ? config.schema() : infer(InputPaths.expand(config.paths()));
        }
        return schema;
    }

    private Schema infer(List<Path> files) throws IOException {
        CsvRowParser parser = new CsvRowParser(config.separator());
        for (Path file : files) {
            long size = Files.size(file);
            if (size == 0) {
                continue;
            }
            List<String> header = null;
            List<List<String>> rows = new ArrayList<>();
            try (CsvFramer framer = new CsvFramer(file, 0, size, 1, true, config.maxRecordBytes(),
                    CsvReader.READ_BUFFER_BYTES)) {
                boolean first = true;
                while (rows.size() < config.inferenceRows() && framer.next()) {
                    boolean isHeader = first && config.header();
                    first = false;
                    if (framer.length() == 0 && !isHeader) {
                        continue;
                    }
                    if (framer.unterminated() || parser.parse(framer.bytes(), framer.length()) != null) {
                        if (isHeader) {
                            throw new CsvFormatException(file.toString(), framer.line(), "malformed header row");
                        }
                        continue;
                    }
                    if (isHeader) {
                        header = List.copyOf(parser.fields());
                    } else {
                        rows.add(List.copyOf(parser.fields()));
                    }
                }
            }
            if (header == null && rows.isEmpty()) {
                continue;
            }
            return CsvSchemas.infer(header, rows);
        }
        return CsvSchemas.infer(List.of(), List.of());
    }

    @Override
    public List<Split> splits(int desiredParallelism) throws IOException {
        FileSplitPlan plan = FileSplitPlan.of(config.paths(), desiredParallelism, config.minSplitSizeBytes());
        String schemaJson = schema().toString();
        long splitSize = plan.splitSize();
        List<Split> splits = new ArrayList<>();
        for (FileSplitPlan.SizedFile f : plan.files()) {
            Path file = f.path();
            long size = f.size();
            if (size == 0) {
                continue;
            }
            if (plan.wholeFile(size)) {
                splits.add(split(file, 0, size, 1, schemaJson));
                continue;
            }
            long splitStart = 0;
            long splitLine = 1;
            long slop = (long) (splitSize * (FileSplitPlan.SLOP - 1));
            try (CsvFramer framer = new CsvFramer(file, 0, size, 1, false, Integer.MAX_VALUE,
                    CsvReader.READ_BUFFER_BYTES)) {
                while (framer.next()) {
                    long s = framer.start();
                    if (s - splitStart >= splitSize && size - s > slop) {
                        splits.add(split(file, splitStart, s - splitStart, splitLine, schemaJson));
                        splitStart = s;
                        splitLine = framer.line();
                    }
                }
            }
            splits.add(split(file, splitStart, size - splitStart, splitLine, schemaJson));
        }
        return List.copyOf(splits);
    }

    private static Split split(Path file, long start, long length, long firstLine, String schemaJson) {
        return new Split(SOURCE_TYPE, file + "@" + start, length, List.of(), Map.of(
                PATH, file.toString(),
                START, Long.toString(start),
                LENGTH, Long.toString(length),
                FIRST_LINE, Long.toString(firstLine),
                SCHEMA, schemaJson));
    }

    @Override
    public CsvReader open(Split split) throws IOException {
        if (!SOURCE_TYPE.equals(split.sourceType())) {
            throw new IllegalArgumentException("not a " + SOURCE_TYPE + " split: " + split.id()
                    + " is of type " + split.sourceType());
        }
        Path file = Path.of(split.require(PATH));
        long start = Long.parseLong(split.require(START));
        Schema splitSchema = new Schema.Parser().parse(split.require(SCHEMA));
        Path rejected = null;
        if (config.policy() == MalformedRowPolicy.SKIP && config.rejectedRowsDir() != null) {
            String name = file.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
            // The hash of the whole path keeps equal file names from different directories apart.
            rejected = config.rejectedRowsDir().resolve(name + "@" + start + "-"
                    + String.format("%08x", file.toString().hashCode()) + ".rejected");
        }
        return new CsvReader(file, start, Long.parseLong(split.require(LENGTH)),
                Long.parseLong(split.require(FIRST_LINE)), splitSchema, config, rejected);
    }
}
