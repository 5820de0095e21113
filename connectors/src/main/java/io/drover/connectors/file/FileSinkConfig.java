package io.drover.connectors.file;

import java.nio.file.Path;

/**
 * Configuration of a {@link FileSink}, validated once at construction.
 *
 * @param output the output directory; created if missing
 * @param overwrite whether a job may replace what the output directory already holds; when false,
 *     a directory that holds anything but other jobs' {@code _temporary} data is refused. When true,
 *     the old contents are deleted at {@link io.drover.connectors.JobCommitter#commitJob}, not
 *     before, so an aborted job leaves them in place
 * @param writeBufferBytes each writer's buffer; default {@value #DEFAULT_WRITE_BUFFER_BYTES}
 */
public record FileSinkConfig(Path output, boolean overwrite, int writeBufferBytes) {

    public static final int DEFAULT_WRITE_BUFFER_BYTES = 64 << 10;

    public FileSinkConfig {
        if (output == null) {
            throw new IllegalArgumentException("a file sink needs an output directory");
        }
        output = output.toAbsolutePath().normalize();
        if (writeBufferBytes < 1) {
            throw new IllegalArgumentException("writeBufferBytes must be at least 1: " + writeBufferBytes);
        }
    }

    /** The defaults: write to {@code output}, refusing one that already holds data. */
    public static FileSinkConfig of(Path output) {
        return new FileSinkConfig(output, false, DEFAULT_WRITE_BUFFER_BYTES);
    }

    public FileSinkConfig withOverwrite(boolean value) {
        return new FileSinkConfig(output, value, writeBufferBytes);
    }

    public FileSinkConfig withWriteBufferBytes(int value) {
        return new FileSinkConfig(output, overwrite, value);
    }
}
