package io.drover.job.shuffle;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads the records of one shuffle block: each is {@code varint keyLength, varint valueLength,
 * key, value}. The current key and value are slices of reused buffers, valid until the next
 * {@link #next}.
 */
public final class RecordStream implements AutoCloseable {

    private final InputStream in;
    // Small: a reducer holds one stream per map output, and LZ4 streams buffer a block already.
    private final byte[] buf = new byte[8 << 10];
    private int pos;
    private int limit;
    private byte[] key = new byte[64];
    private byte[] value = new byte[64];
    private int keyLength;
    private int valueLength;

    /** Reads decompressed records from {@code in}, which this stream closes. */
    public RecordStream(InputStream in) {
        this.in = in;
    }

    /** A stream with no records. */
    public static RecordStream empty() {
        return new RecordStream(InputStream.nullInputStream());
    }

    /** Advances; false at the end of the block. */
    public boolean next() throws IOException {
        int first = read();
        if (first < 0) {
            return false;
        }
        keyLength = readVarInt(first);
        int vFirst = read();
        if (vFirst < 0) {
            throw new EOFException("shuffle block ends inside a record");
        }
        valueLength = readVarInt(vFirst);
        if (key.length < keyLength) {
            key = new byte[Math.max(keyLength, key.length * 2)];
        }
        if (value.length < valueLength) {
            value = new byte[Math.max(valueLength, value.length * 2)];
        }
        readFully(key, keyLength);
        readFully(value, valueLength);
        return true;
    }

    private int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        while (n == 0) {
            n = in.read(buf, 0, buf.length);
        }
        if (n < 0) {
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private int readVarInt(int first) throws IOException {
        int v = first & 0x7F;
        int b = first;
        for (int shift = 7; (b & 0x80) != 0; shift += 7) {
            if (shift > 28) {
                throw new IOException("malformed length in shuffle block");
            }
            b = read();
            if (b < 0) {
                throw new EOFException("shuffle block ends inside a record");
            }
            v |= (b & 0x7F) << shift;
        }
        return v;
    }

    private void readFully(byte[] dst, int n) throws IOException {
        int done = 0;
        while (done < n) {
            if (pos == limit && !fill()) {
                throw new EOFException("shuffle block ends inside a record");
            }
            int chunk = Math.min(n - done, limit - pos);
            System.arraycopy(buf, pos, dst, done, chunk);
            pos += chunk;
            done += chunk;
        }
    }

    public byte[] key() {
        return key;
    }

    public int keyLength() {
        return keyLength;
    }

    public byte[] value() {
        return value;
    }

    public int valueLength() {
        return valueLength;
    }

    public byte[] copyKey() {
        return Arrays.copyOf(key, keyLength);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Writes one record in the block format. */
    static void write(java.io.OutputStream out, byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen)
            throws IOException {
        writeVarInt(out, kLen);
        writeVarInt(out, vLen);
        out.write(k, kOff, kLen);
        out.write(v, vOff, vLen);
    }

    private static void writeVarInt(java.io.OutputStream out, int v) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }
}
