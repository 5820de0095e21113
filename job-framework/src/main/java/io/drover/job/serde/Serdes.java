package io.drover.job.serde;

import io.drover.job.api.Pair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fast built-in serdes for the common types; use {@link AvroGenericSerde} and
 * {@link AvroReflectSerde} for records. Strings, byte arrays, longs and ints encode so that their
 * byte order is their natural order (longs and ints big-endian with the sign bit flipped), which
 * lets a sort by key compare bytes.
 */
public final class Serdes {

    private Serdes() {}

    /** UTF-8; byte order is code point order. */
    public static Serde<String> string() {
        return StringSerde.INSTANCE;
    }

    /** The bytes themselves; byte order is unsigned lexicographic order. */
    public static Serde<byte[]> bytes() {
        return BytesSerde.INSTANCE;
    }

    /** 8 bytes, order preserving. */
    public static Serde<Long> longs() {
        return LongSerde.INSTANCE;
    }

    /** The long at {@code buf[offset]} as {@link #longs()} encodes it, without boxing. */
    public static long decodeLong(byte[] buf, int offset) {
        return ByteBuf.readLong(buf, offset) ^ Long.MIN_VALUE;
    }

    /** 4 bytes, order preserving. */
    public static Serde<Integer> ints() {
        return IntSerde.INSTANCE;
    }

    /** Nothing at all: for the values of a keyed dataset that only needs its keys. */
    public static Serde<Boolean> unit() {
        return UnitSerde.INSTANCE;
    }

    /** A pair: the key's length as a varint, the key, then the value. */
    public static <K, V> Serde<Pair<K, V>> pair(Serde<K> key, Serde<V> value) {
        return new PairSerde<>(key, value);
    }

    /** A list: its size, then each element's length and bytes. */
    public static <T> Serde<List<T>> list(Serde<T> element) {
        return new ListSerde<>(element);
    }

    private enum StringSerde implements Serde<String> {
        INSTANCE;

        @Override
        public void write(String value, ByteBuf out) {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
        }

        @Override
        public String read(byte[] buf, int offset, int length) {
            return new String(buf, offset, length, StandardCharsets.UTF_8);
        }

        @Override
        public boolean orderPreserving() {
            // Not quite: String.compareTo orders UTF-16 units, which differs from code point order
            // only between supplementary characters and U+E000..U+FFFF.
            return false;
        }
    }

    private enum BytesSerde implements Serde<byte[]> {
        INSTANCE;

        @Override
        public void write(byte[] value, ByteBuf out) {
            out.write(value, 0, value.length);
        }

        @Override
        public byte[] read(byte[] buf, int offset, int length) {
            return Arrays.copyOfRange(buf, offset, offset + length);
        }

        @Override
        public boolean orderPreserving() {
            return true;
        }
    }

    private enum LongSerde implements Serde<Long> {
        INSTANCE;

        @Override
        public void write(Long value, ByteBuf out) {
            out.writeLong(value ^ Long.MIN_VALUE);
        }

        @Override
        public Long read(byte[] buf, int offset, int length) throws IOException {
            if (length != 8) {
                throw new IOException("a long is 8 bytes, not " + length);
            }
            return ByteBuf.readLong(buf, offset) ^ Long.MIN_VALUE;
        }

        @Override
        public boolean orderPreserving() {
            return true;
        }
    }

    private enum IntSerde implements Serde<Integer> {
        INSTANCE;

        @Override
        public void write(Integer value, ByteBuf out) {
            out.writeInt(value ^ Integer.MIN_VALUE);
        }

        @Override
        public Integer read(byte[] buf, int offset, int length) throws IOException {
            if (length != 4) {
                throw new IOException("an int is 4 bytes, not " + length);
            }
            return ByteBuf.readInt(buf, offset) ^ Integer.MIN_VALUE;
        }

        @Override
        public boolean orderPreserving() {
            return true;
        }
    }

    private enum UnitSerde implements Serde<Boolean> {
        INSTANCE;

        @Override
        public void write(Boolean value, ByteBuf out) {}

        @Override
        public Boolean read(byte[] buf, int offset, int length) {
            return Boolean.TRUE;
        }
    }

    private record PairSerde<K, V>(Serde<K> key, Serde<V> value) implements Serde<Pair<K, V>> {
        @Override
        public void write(Pair<K, V> pair, ByteBuf out) throws IOException {
            ByteBuf k = new ByteBuf(64);
            key.write(pair.key(), k);
            out.writeVarInt(k.size());
            out.write(k.array(), 0, k.size());
            value.write(pair.value(), out);
        }

        @Override
        public Pair<K, V> read(byte[] buf, int offset, int length) throws IOException {
            int[] pos = {offset};
            int keyLength = readVarInt(buf, pos);
            K k = key.read(buf, pos[0], keyLength);
            int valueStart = pos[0] + keyLength;
            return new Pair<>(k, value.read(buf, valueStart, offset + length - valueStart));
        }
    }

    private record ListSerde<T>(Serde<T> element) implements Serde<List<T>> {
        @Override
        public void write(List<T> list, ByteBuf out) throws IOException {
            out.writeVarInt(list.size());
            ByteBuf e = new ByteBuf(64);
            for (T t : list) {
                e.reset();
                element.write(t, e);
                out.writeVarInt(e.size());
                out.write(e.array(), 0, e.size());
            }
        }

        @Override
        public List<T> read(byte[] buf, int offset, int length) throws IOException {
            int[] pos = {offset};
            int n = readVarInt(buf, pos);
            List<T> list = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                int len = readVarInt(buf, pos);
                list.add(element.read(buf, pos[0], len));
                pos[0] += len;
            }
            return list;
        }
    }

    /** Reads a varint at {@code pos[0]} and advances it. */
    static int readVarInt(byte[] buf, int[] pos) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = buf[pos[0]++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IOException("malformed varint");
    }
}
