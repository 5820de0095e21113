package io.drover.connectors.text;

import io.drover.connectors.ByteSliceSource;
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

/**
 * Lines of UTF-8 text files: files, directories and globs (see {@link InputPaths}).
 *
 * <p>Splits are byte ranges of one file each. The split size is the total input size divided by
 * the desired parallelism, but at least {@link TextSourceConfig#minSplitSizeBytes()}; a file's last
 * range may be up to 10% larger rather than leave a sliver. Files ending in {@code .gz} are gzip
 * and read whole, as one split. Empty files give no split. See {@link LineSliceReader} for how lines
 * and range boundaries are read.
 */
public final class TextLineSource implements Source<String>, ByteSliceSource {

    /** The {@link Split#sourceType()} of this source's splits. */
    public static final String SOURCE_TYPE = "text-lines";

    static final String PATH = "path";
    static final String START = "start";
    static final String LENGTH = "length";
    static final String COMPRESSION = "compression";
    static final String GZIP = "gzip";
    static final String NONE = "none";

    /** A last range may exceed the split size by this much rather than leave a small one behind. */

    private final TextSourceConfig config;

    public TextLineSource(TextSourceConfig config) {
        this.config = config;
    }

    @Override
    public List<Split> splits(int desiredParallelism) throws IOException {
        FileSplitPlan plan = FileSplitPlan.of(config.paths(), desiredParallelism, config.minSplitSizeBytes());
        List<Split> splits = new ArrayList<>();
        for (FileSplitPlan.SizedFile f : plan.files()) {
            if (f.size() == 0) {
                continue;
            }
            if (isGzip(f.path())) {
                splits.add(split(f.path(), 0, f.size(), GZIP));
                continue;
            }
            for (FileSplitPlan.Range r : plan.ranges(f.size())) {
                splits.add(split(f.path(), r.start(), r.length(), NONE));
            }
        }
        return List.copyOf(splits);
    }

    private static boolean isGzip(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    private static Split split(Path file, long start, long length, String compression) {
        return new Split(SOURCE_TYPE, file + "@" + start, length, List.of(), Map.of(
                PATH, file.toString(),
                START, Long.toString(start),
                LENGTH, Long.toString(length),
                COMPRESSION, compression));
    }

    @Override
    public Reader<String> open(Split split) throws IOException {
        return new TextLineReader(openSlices(split));
    }

    @Override
    public LineSliceReader openSlices(Split split) throws IOException {
        if (!SOURCE_TYPE.equals(split.sourceType())) {
            throw new IllegalArgumentException("not a " + SOURCE_TYPE + " split: " + split.id()
                    + " is of type " + split.sourceType());
        }
        Path file = Path.of(split.require(PATH));
        if (GZIP.equals(split.require(COMPRESSION))) {
            return LineSliceReader.openGzip(file, config);
        }
        long start = Long.parseLong(split.require(START));
        long length = Long.parseLong(split.require(LENGTH));
        return LineSliceReader.openRange(file, start, length, config);
    }
}
