package io.drover.job.shuffle;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The index of one map output: for each reduce partition, the byte range of its block in the data
 * file. Format: magic {@code "DRSI"}, version 1, compression id, partition count {@code n}, then
 * {@code n + 1} offsets (big-endian longs); partition {@code p} is {@code [offset[p], offset[p+1])}.
 *
 * @param compression how each block is compressed
 * @param offsets {@code partitions + 1} ascending offsets, the first 0
 */
public record ShuffleIndex(Compression compression, long[] offsets) {

    private static final int MAGIC = 0x44525349;
    private static final int VERSION = 1;

    public int partitions() {
        return offsets.length - 1;
    }

    public long start(int partition) {
        return offsets[partition];
    }

    public long length(int partition) {
        return offsets[partition + 1] - offsets[partition];
    }

    void write(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeInt(VERSION);
        d.writeInt(compression.id);
        d.writeInt(partitions());
        for (long o : offsets) {
            d.writeLong(o);
        }
        d.flush();
    }

    /**
     * Reads an index.
     *
     * @throws IOException if it is not an index of a known version, or its offsets do not ascend
     */
    public static ShuffleIndex read(InputStream in, String name) throws IOException {
        DataInputStream d = new DataInputStream(in);
        if (d.readInt() != MAGIC) {
            throw new IOException("not a shuffle index: " + name);
        }
        int version = d.readInt();
        if (version != VERSION) {
            throw new IOException("shuffle index " + name + " has unknown version " + version);
        }
        Compression c = Compression.ofId(d.readInt());
        int n = d.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("shuffle index " + name + " has a bad partition count " + n);
        }
        long[] offsets = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            offsets[i] = d.readLong();
            if (i > 0 && offsets[i] < offsets[i - 1]) {
                throw new IOException("shuffle index " + name + " has descending offsets");
            }
        }
        return new ShuffleIndex(c, offsets);
    }
}
