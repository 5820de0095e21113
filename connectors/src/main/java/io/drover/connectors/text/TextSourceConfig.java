package io.drover.connectors.text;

import java.util.List;

/**
 * Configuration of a {@link TextLineSource}, validated once at construction.
 *
 * @param paths files, directories and globs to read (see {@link io.drover.connectors.file.InputPaths})
 * @param minSplitSizeBytes the smallest split worth a task; default {@value #DEFAULT_MIN_SPLIT_SIZE_BYTES}
 * @param maxLineBytes the longest line accepted; a longer one fails the reader rather than grow its
 *     buffer without bound; default {@value #DEFAULT_MAX_LINE_BYTES}
 * @param readBufferBytes the reader's initial buffer, which grows only to fit a longer line; default
 *     {@value #DEFAULT_READ_BUFFER_BYTES}
 */
public record TextSourceConfig(List<String> paths, long minSplitSizeBytes, int maxLineBytes, int readBufferBytes) {

    public static final long DEFAULT_MIN_SPLIT_SIZE_BYTES = 1L << 20;
    public static final int DEFAULT_MAX_LINE_BYTES = 64 << 20;
    public static final int DEFAULT_READ_BUFFER_BYTES = 64 << 10;

    public TextSourceConfig {
        paths = List.copyOf(paths);
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("a text source needs at least one path");
        }
        if (minSplitSizeBytes < 1) {
            throw new IllegalArgumentException("minSplitSizeBytes must be at least 1: " + minSplitSizeBytes);
        }
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be at least 1: " + maxLineBytes);
        }
        if (readBufferBytes < 16) {
            throw new IllegalArgumentException("readBufferBytes must be at least 16: " + readBufferBytes);
        }
    }

    /** The defaults, reading {@code paths}. */
    public static TextSourceConfig of(String... paths) {
        return new TextSourceConfig(List.of(paths), DEFAULT_MIN_SPLIT_SIZE_BYTES, DEFAULT_MAX_LINE_BYTES,
                DEFAULT_READ_BUFFER_BYTES);
    }

    public TextSourceConfig withMinSplitSizeBytes(long value) {
        return new TextSourceConfig(paths, value, maxLineBytes, readBufferBytes);
    }

    public TextSourceConfig withMaxLineBytes(int value) {
        return new TextSourceConfig(paths, minSplitSizeBytes, value, readBufferBytes);
    }

    public TextSourceConfig withReadBufferBytes(int value) {
        return new TextSourceConfig(paths, minSplitSizeBytes, maxLineBytes, value);
    }
}
