package io.drover.connectors.text;

import io.drover.connectors.ByteSliceSource;
import io.drover.connectors.Reader;
import io.drover.connectors.Source;
import io.drover.connectors.Split;
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
    private static final double SPLIT_SLOP = 1.1;

    private final TextSourceConfig config;

    public TextLineSource(TextSourceConfig config) {
        this.config = config;
    }

    @Override
    public List<Split> splits(int desiredParallelism) throws IOException {
        if (desiredParallelism < 1) {
            throw new IllegalArgumentException("desiredParallelism must be at least 1: " + desiredParallelism);
        }
        List<Path> files = InputPaths.expand(config.paths());
        long[] sizes = new long[files.size()];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = Files.size(files.get(i));
            total += sizes[i];
        }
        long splitSize = Math.max(config.minSplitSizeBytes(), (total + desiredParallelism - 1) / desiredParallelism);
        List<Split> splits = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            Path file = files.get(i);
            long size = sizes[i];
            if (size == 0) {
                continue;
            }
            if (isGzip(file)) {
                splits.add(split(file, 0, size, GZIP));
                continue;
            }
            long offset = 0;
            while ((double) (size - offset) / splitSize > SPLIT_SLOP) {
                splits.add(split(file, offset, splitSize, NONE));
                offset += splitSize;
            }
            splits.add(split(file, offset, size - offset, NONE));
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
