package io.drover.connectors.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the file sources (text, CSV, Avro) cut their input into byte-range splits: the input
 * patterns expanded ({@link InputPaths#expand}), each file's size, and one split size for all of
 * them, the total over the desired parallelism but never under the configured minimum. A file's
 * last split may be up to {@link #SLOP} times the split size rather than leave a small tail.
 *
 * @param files the input files, in order, with their sizes (empty files included)
 * @param totalBytes the sum of their sizes
 * @param splitSize the target bytes of one split
 */
public record FileSplitPlan(List<SizedFile> files, long totalBytes, long splitSize) {
    /** How much larger than the split size a file's last split may be. */
    public static final double SLOP = 1.1;

    /** One input file and its size in bytes. */
    public record SizedFile(Path path, long size) {}

    /** A byte range of one file. */
    public record Range(long start, long length) {}

    public FileSplitPlan {
        files = List.copyOf(files);
    }

    /**
     * Plans the splits of the files matching {@code patterns}.
     *
     * @throws IllegalArgumentException when {@code desiredParallelism} is below 1
     */
    public static FileSplitPlan of(List<String> patterns, int desiredParallelism, long minSplitSizeBytes) throws IOException {
        if (desiredParallelism < 1) {
            throw new IllegalArgumentException("desiredParallelism must be at least 1: " + desiredParallelism);
        }
        List<SizedFile> files = new ArrayList<>();
        long total = 0;
        for (Path file : InputPaths.expand(patterns)) {
            long size = Files.size(file);
            files.add(new SizedFile(file, size));
            total += size;
        }
        long splitSize = Math.max(minSplitSizeBytes, (total + desiredParallelism - 1) / desiredParallelism);
        return new FileSplitPlan(files, total, Math.max(1, splitSize));
    }

    /** Whether a file of this size is read as one split. */
    public boolean wholeFile(long size) {
        return size <= splitSize * SLOP;
    }

    /**
     * The byte ranges of a file of {@code size} bytes: split-size pieces, the last one taking
     * the tail when it is within {@link #SLOP}; none for an empty file.
     */
    public List<Range> ranges(long size) {
        List<Range> ranges = new ArrayList<>();
        if (size == 0) {
            return ranges;
        }
        long offset = 0;
        while ((double) (size - offset) / splitSize > SLOP) {
            ranges.add(new Range(offset, splitSize));
            offset += splitSize;
        }
        ranges.add(new Range(offset, size - offset));
        return ranges;
    }
}
