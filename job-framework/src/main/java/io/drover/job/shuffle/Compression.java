package io.drover.job.shuffle;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4BlockInputStream;
import net.jpountz.lz4.LZ4BlockOutputStream;
import net.jpountz.lz4.LZ4Compressor;
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

    /** Bytes tried to judge whether data compresses. */
    private static final int PROBE_BYTES = 256 << 10;
    /** Compressed to more than this share of its size, data is written as it is. */
    private static final double WORTH_RATIO = 0.9;

    /**
     * This compression, or {@link #NONE} where it would not pay for itself on {@code buf[off ..
     * off+len)}: LZ4 is tried on its first {@value #PROBE_BYTES} bytes, and data that does not shrink
     * by a tenth (random keys, already compressed values) is written as it is, saving the CPU of
     * compressing and decompressing it. Each map output file records its own compression.
     */
    public Compression worthItOn(byte[] buf, int off, int len) {
        if (this == NONE || len <= 0) {
            return this;
        }
        int n = Math.min(len, PROBE_BYTES);
        LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
        byte[] out = new byte[compressor.maxCompressedLength(n)];
        int compressed = compressor.compress(buf, off, n, out, 0, out.length);
        return compressed > WORTH_RATIO * n ? NONE : this;
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
