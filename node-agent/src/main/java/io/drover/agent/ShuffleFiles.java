package io.drover.agent;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * The agent's side of the job framework's shuffle: finds one reduce partition's block of one map
 * output under {@code <work dir>/shuffle/<framework>/<job>/shuffle/s<stage>/m<map>-a<attempt>.index}
 * and {@code .data}, through the index (magic {@code "DRSI"}, version 1, compression id, partition
 * count {@code n}, then {@code n + 1} big-endian offsets: the format of
 * {@code io.drover.job.shuffle.ShuffleIndex}, read here without depending on the job framework).
 */
final class ShuffleFiles {
    private static final int MAGIC = 0x44525349;
    private static final int VERSION = 1;
    private static final int MAX_PARTITIONS = 1_000_000;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

    /** One block: its compression id and byte range in the data file. */
    record Block(Path data, int compression, long start, long length) {}

    private final Path root;

    ShuffleFiles(Path root) {
        this.root = root;
    }

    /**
     * Locates a block.
     *
     * @throws IllegalArgumentException for a bad id or number
     * @throws NoSuchFileException when the map output is not on this agent
     * @throws IOException when its index is unreadable
     */
    Block find(String frameworkId, String jobId, int stage, int map, int attempt, int partition) throws IOException {
        id("framework id", frameworkId);
        id("job id", jobId);
        if (stage < 0 || map < 0 || attempt < 0 || partition < 0) {
            throw new IllegalArgumentException("stage, map, attempt and partition must not be negative");
        }
        Path dir = root.resolve(frameworkId).resolve(jobId).resolve("shuffle").resolve("s" + stage);
        Path index = dir.resolve("m" + map + "-a" + attempt + ".index");
        try (DataInputStream in = new DataInputStream(Files.newInputStream(index))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException("not a shuffle index of version " + VERSION + ": " + index);
            }
            int compression = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > MAX_PARTITIONS) {
                throw new IOException("shuffle index " + index + " has a bad partition count " + n);
            }
            if (partition >= n) {
                throw new IllegalArgumentException("map output " + map + " of stage " + stage + " has " + n
                        + " partitions, not " + (partition + 1));
            }
            in.skipNBytes(8L * partition);
            long start = in.readLong();
            long end = in.readLong();
            if (end < start) {
                throw new IOException("shuffle index " + index + " has descending offsets");
            }
            return new Block(dir.resolve("m" + map + "-a" + attempt + ".data"), compression, start, end - start);
        }
    }

    /** The block's bytes as they are on disk (compressed); the caller closes the stream. */
    static InputStream open(Block block) throws IOException {
        FileChannel channel = FileChannel.open(block.data(), StandardOpenOption.READ);
        try {
            if (channel.size() < block.start() + block.length()) {
                throw new IOException("shuffle data " + block.data() + " is shorter than its index says");
            }
            channel.position(block.start());
            return new Bounded(Channels.newInputStream(channel), block.length());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void id(String what, String id) {
        if (id == null || !ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException(what + " must be 1 to 200 of letters, digits, '-', '_' and '.'");
        }
    }

    /** At most {@code remaining} bytes of a stream; closes it. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long remaining;

        Bounded(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
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
