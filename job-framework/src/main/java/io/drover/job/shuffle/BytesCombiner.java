package io.drover.job.shuffle;

import io.drover.job.serde.ByteBuf;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongBinaryOperator;

/**
 * The map-side combiner of a shuffle: values folded by encoded key, in an open-addressing table
 * whose keys live in one byte arena. A key is looked up from the caller's bytes in place and
 * copied only when it is new, so combining a record allocates nothing but what the fold itself
 * allocates.
 *
 * <p>Bounded: {@link #add} reports when the table holds {@code maxKeys} keys or {@code maxKeyBytes}
 * bytes of keys, and the caller then {@link #drain drains} it into the sort buffer (which spills
 * to disk when it fills in turn). Memory is about {@code maxKeys * 40} bytes plus the values plus
 * {@code maxKeyBytes}. Not thread-safe.
 */
public final class BytesCombiner {

    /** Receives the combined entries on {@link #drain}; the key bytes are valid only during the call. */
    @FunctionalInterface
    public interface Sink {
        void accept(byte[] key, int offset, int length, Object value) throws IOException;
    }

    private static final int MIN_ENTRIES = 1 << 10;

    private final int maxKeys;
    private final int maxKeyBytes;
    private final Function<Object, Object> create;
    private final BiFunction<Object, Object, Object> mergeValue;
    /** The fold of primitive values, in place of create and mergeValue; null for object values. */
    private final LongBinaryOperator longOp;
    private long[] longs;
    /** Entry index + 1 per slot; 0 is empty. Never more than half full. */
    private int[] slots;
    private int[] offsets;
    private int[] lengths;
    private int[] hashes;
    private Object[] values;
    private byte[] arena;
    private int arenaUsed;
    private int size;

    /**
     * @param maxKeys the most keys held before {@link #add} reports full, at least 1
     * @param maxKeyBytes the most key bytes held before {@link #add} reports full, at least 1
     * @param create turns the first value of a key into its combined value
     * @param mergeValue folds a later value into the combined value
     */
    public BytesCombiner(int maxKeys, int maxKeyBytes, Function<Object, Object> create,
            BiFunction<Object, Object, Object> mergeValue) {
        this(maxKeys, maxKeyBytes, create, mergeValue, null);
    }

    /**
     * A combiner of primitive long values, folded with {@code op} (see {@link #addLong}); drained
     * values are {@link Long}s.
     */
    public BytesCombiner(int maxKeys, int maxKeyBytes, LongBinaryOperator op) {
        this(maxKeys, maxKeyBytes, null, null, op);
    }

    private BytesCombiner(int maxKeys, int maxKeyBytes, Function<Object, Object> create,
            BiFunction<Object, Object, Object> mergeValue, LongBinaryOperator longOp) {
        if (maxKeys < 1 || maxKeyBytes < 1) {
            throw new IllegalArgumentException("maxKeys and maxKeyBytes must be at least 1: " + maxKeys + ", "
                    + maxKeyBytes);
        }
        this.maxKeys = maxKeys;
        this.maxKeyBytes = maxKeyBytes;
        this.create = create;
        this.mergeValue = mergeValue;
        this.longOp = longOp;
        int entries = Math.min(MIN_ENTRIES, maxKeys);
        slots = new int[Integer.highestOneBit(entries) << 2];
        offsets = new int[entries];
        lengths = new int[entries];
        hashes = new int[entries];
        if (longOp == null) {
            values = new Object[entries];
        } else {
            longs = new long[entries];
        }
        arena = new byte[Math.min(maxKeyBytes, 64 << 10)];
    }

    /**
     * Folds {@code value} into the combined value of the key {@code key[offset .. offset+length)}.
     *
     * @return true when the table is full and must be drained before the next add
     */
    public boolean add(byte[] key, int offset, int length, Object value) {
        int h = ByteBuf.hash(key, offset, length);
        int e = find(key, offset, length, h);
        if (e >= 0) {
            values[e] = mergeValue.apply(values[e], value);
            return false;
        }
        insert(-e - 1, key, offset, length, h);
        values[size - 1] = create.apply(value);
        return full();
    }

    /**
     * Folds the primitive {@code value} into the key's value, for a combiner made with a
     * {@link LongBinaryOperator}; the first value of a key is its combined value.
     *
     * @return true when the table is full and must be drained before the next add
     */
    public boolean addLong(byte[] key, int offset, int length, long value) {
        int h = ByteBuf.hash(key, offset, length);
        int e = find(key, offset, length, h);
        if (e >= 0) {
            longs[e] = longOp.applyAsLong(longs[e], value);
            return false;
        }
        insert(-e - 1, key, offset, length, h);
        longs[size - 1] = value;
        return full();
    }

    private boolean full() {
        return size >= maxKeys || arenaUsed >= maxKeyBytes;
    }

    /** The key's entry index, or {@code -(slot + 1)} of the empty slot where it would go. */
    private int find(byte[] key, int offset, int length, int h) {
        int mask = slots.length - 1;
        int s = h & mask;
        while (true) {
            int e = slots[s];
            if (e == 0) {
                return -s - 1;
            }
            int i = e - 1;
            if (hashes[i] == h && lengths[i] == length && sameBytes(offsets[i], key, offset, length)) {
                return i;
            }
            s = (s + 1) & mask;
        }
    }

    /**
     * Whether the arena at {@code at} holds the key. Short keys (most words) are compared byte by
     * byte, which the quick compiler executors run with makes cheaper than the vectorized compare
     * it does not intrinsify; long ones with {@link Arrays#equals(byte[], int, int, byte[], int, int)}.
     */
    private boolean sameBytes(int at, byte[] key, int offset, int length) {
        if (length > 16) {
            return Arrays.equals(arena, at, at + length, key, offset, offset + length);
        }
        byte[] a = arena;
        for (int j = 0; j < length; j++) {
            if (a[at + j] != key[offset + j]) {
                return false;
            }
        }
        return true;
    }

    /** Adds the key as entry {@code size} (its value set by the caller) at the empty {@code slot}. */
    private void insert(int slot, byte[] key, int offset, int length, int h) {
        if (size == offsets.length) {
            int grown = (int) Math.min((long) size * 2, Math.max(maxKeys, size + 1));
            offsets = Arrays.copyOf(offsets, grown);
            lengths = Arrays.copyOf(lengths, grown);
            hashes = Arrays.copyOf(hashes, grown);
            if (values != null) {
                values = Arrays.copyOf(values, grown);
            } else {
                longs = Arrays.copyOf(longs, grown);
            }
        }
        if ((long) arenaUsed + length > arena.length) {
            long want = Math.max((long) arenaUsed + length, Math.min(2L * arena.length, maxKeyBytes));
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("combined keys do not fit one array: " + want + " bytes");
            }
            arena = Arrays.copyOf(arena, (int) want);
        }
        System.arraycopy(key, offset, arena, arenaUsed, length);
        offsets[size] = arenaUsed;
        lengths[size] = length;
        hashes[size] = h;
        arenaUsed += length;
        slots[slot] = ++size;
        if (size * 2 > slots.length) {
            rehash();
        }
    }

    private void rehash() {
        int[] next = new int[slots.length * 2];
        int mask = next.length - 1;
        for (int i = 0; i < size; i++) {
            int s = hashes[i] & mask;
            while (next[s] != 0) {
                s = (s + 1) & mask;
            }
            next[s] = i + 1;
        }
        slots = next;
    }

    /** The keys held. */
    public int size() {
        return size;
    }

    /** Hands every combined entry to {@code sink}, in insertion order, and empties the table. */
    public void drain(Sink sink) throws IOException {
        for (int i = 0; i < size; i++) {
            sink.accept(arena, offsets[i], lengths[i], values != null ? values[i] : Long.valueOf(longs[i]));
        }
        if (values != null) {
            Arrays.fill(values, 0, size, null);
        }
        Arrays.fill(slots, 0);
        size = 0;
        arenaUsed = 0;
    }
}
