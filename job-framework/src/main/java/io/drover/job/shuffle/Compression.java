package io.drover.job.shuffle;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4BlockInputStream;
import net.jpountz.lz4.LZ4BlockOutputStream;
import net.jpountz.lz4.LZ4Factory;

/**
 * The compression of one shuffle block (one reduce partition of one map output). Each block is
 * compressed on its own, so a reducer decompresses only its byte range.
 */
public enum Compression {
    /** Bytes as they are. */
    NONE(0),
    /** LZ4 block format (lz4-java's {@code LZ4BlockOutputStream}, 64 KiB blocks). */
    LZ4(1);

    private static final int LZ4_BLOCK_BYTES = 64 << 10;

    final int id;

    Compression(int id) {
        this.id = id;
    }

    public static Compression ofId(int id) throws IOException {
        for (Compression c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new IOException("unknown shuffle compression id " + id);
    }

    /**
     * A stream that compresses into {@code out}; closing it ends the block but leaves {@code out}
     * open.
     */
    OutputStream compress(OutputStream out) {
        OutputStream keepOpen = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        if (this == NONE) {
            return keepOpen;
        }
        return new LZ4BlockOutputStream(keepOpen, LZ4_BLOCK_BYTES, LZ4Factory.fastestInstance().fastCompressor());
    }

    /** A stream of the decompressed bytes of one block read from {@code in}. */
    public InputStream decompress(InputStream in) {
        if (this == NONE) {
            return in;
        }
        return LZ4BlockInputStream.newBuilder()
                .withDecompressor(LZ4Factory.fastestInstance().safeDecompressor())
                .build(in);
    }
}
