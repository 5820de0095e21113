package io.drover.job.shuffle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads map outputs from a work directory on this host, choosing the attempt that
 * {@link MapOutputs} names: the index gives the block's byte range, which is read and
 * decompressed straight from the data file.
 */
public final class LocalShuffleFetcher implements ShuffleFetcher {

    private final Path workDir;
    private final MapOutputs outputs;

    public LocalShuffleFetcher(Path workDir, MapOutputs outputs) {
        this.workDir = workDir;
        this.outputs = outputs;
    }

    @Override
    public RecordStream fetch(int stage, int map, int reducePartition) throws IOException {
        int attempt;
        try {
            attempt = outputs.get(stage, map).attempt();
        } catch (IllegalStateException e) {
            throw new ShuffleFetchException(stage, map, e.getMessage(), e);
        }
        return open(workDir, stage, map, attempt, reducePartition);
    }

    /** Opens one block of one map output attempt under {@code workDir}. */
    public static RecordStream open(Path workDir, int stage, int map, int attempt, int reducePartition)
            throws IOException {
        Path indexFile = ShuffleFiles.index(workDir, stage, map, attempt);
        ShuffleIndex index;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(indexFile))) {
            index = ShuffleIndex.read(in, indexFile.toString());
        } catch (NoSuchFileException e) {
            throw new ShuffleFetchException(stage, map, "map output missing: stage " + stage + " map task " + map
                    + " attempt " + attempt + " (" + indexFile + ")", e);
        }
        if (reducePartition < 0 || reducePartition >= index.partitions()) {
            throw new IOException("map output " + indexFile + " has " + index.partitions() + " partitions, not "
                    + (reducePartition + 1));
        }
        long length = index.length(reducePartition);
        if (length == 0) {
            return RecordStream.empty();
        }
        Path dataFile = ShuffleFiles.data(workDir, stage, map, attempt);
        FileChannel channel;
        try {
            channel = FileChannel.open(dataFile, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ShuffleFetchException(stage, map, "map output missing: stage " + stage + " map task " + map
                    + " attempt " + attempt + " (" + dataFile + ")", e);
        }
        try {
            channel.position(index.start(reducePartition));
            InputStream range = new BoundedInputStream(Channels.newInputStream(channel), length);
            return new RecordStream(index.compression().decompress(range));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** At most {@code remaining} bytes of a stream; closes it. */
    static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
