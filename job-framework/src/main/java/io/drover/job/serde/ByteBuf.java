package io.drover.job.serde;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array that serdes write into; reused between records, so it never holds more
 * than the largest record seen. Growth is bounded by {@link #MAX_BYTES}.
 */
public final class ByteBuf extends OutputStream {

    /** The largest encoded value accepted: one record must fit a Java array with room to spare. */
    public static final int MAX_BYTES = 1 << 30;

    private byte[] bytes;
    private int size;

    public ByteBuf(int initialBytes) {
        bytes = new byte[Math.max(16, initialBytes)];
    }

    public ByteBuf() {
        this(256);
    }

    private void ensure(int extra) {
        long needed = (long) size + extra;
        if (needed > MAX_BYTES) {
            throw new IllegalStateException("a record encodes to more than " + MAX_BYTES + " bytes");
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_BYTES, Math.max(needed, 2L * bytes.length)));
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** Writes {@code v} big-endian in 8 bytes. */
    public void writeLong(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            bytes[size++] = (byte) (v >>> (8 * i));
        }
    }

    /** Writes {@code v} big-endian in 4 bytes. */
    public void writeInt(int v) {
        ensure(4);
        for (int i = 3; i >= 0; i--) {
            bytes[size++] = (byte) (v >>> (8 * i));
        }
    }

    /** Writes a non-negative int in 1 to 5 bytes, 7 bits at a time. */
    public void writeVarInt(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("varint must not be negative: " + v);
        }
        ensure(5);
        while ((v & ~0x7F) != 0) {
            bytes[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        bytes[size++] = (byte) v;
    }

    public byte[] array() {
        return bytes;
    }

    public int size() {
        return size;
    }

    public void reset() {
        size = 0;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** Reads a big-endian long at {@code off}. */
    public static long readLong(byte[] b, int off) {
        // Straight-line: as fast as a loop under the optimizing compiler, and much faster under the
        // quick compiler executors run with.
        return ((long) readInt(b, off) << 32) | (readInt(b, off + 4) & 0xFFFFFFFFL);
    }

    /** Reads a big-endian int at {@code off}. */
    public static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** Compares two byte ranges as unsigned bytes, lexicographically. */
    public static int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        return Arrays.compareUnsigned(a, aOff, aOff + aLen, b, bOff, bOff + bLen);
    }

    /** A hash of a byte range that is the same in every JVM (FNV-1a, then mixed). */
    public static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) {
            h = (h ^ (b[i] & 0xFF)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }
}
