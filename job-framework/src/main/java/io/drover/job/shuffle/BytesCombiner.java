package io.drover.job.shuffle;

import io.drover.job.serde.ByteBuf;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Function;

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
        if (maxKeys < 1 || maxKeyBytes < 1) {
            throw new IllegalArgumentException("maxKeys and maxKeyBytes must be at least 1: " + maxKeys + ", "
                    + maxKeyBytes);
        }
        this.maxKeys = maxKeys;
        this.maxKeyBytes = maxKeyBytes;
        this.create = create;
        this.mergeValue = mergeValue;
        int entries = Math.min(MIN_ENTRIES, maxKeys);
        slots = new int[Integer.highestOneBit(entries) << 2];
        offsets = new int[entries];
        lengths = new int[entries];
        hashes = new int[entries];
        values = new Object[entries];
        arena = new byte[Math.min(maxKeyBytes, 64 << 10)];
    }

    /**
     * Folds {@code value} into the combined value of the key {@code key[offset .. offset+length)}.
     *
     * @return true when the table is full and must be drained before the next add
     */
    public boolean add(byte[] key, int offset, int length, Object value) {
        int h = ByteBuf.hash(key, offset, length);
        int mask = slots.length - 1;
        int s = h & mask;
        while (true) {
            int e = slots[s];
            if (e == 0) {
                insert(s, key, offset, length, h, create.apply(value));
                return size >= maxKeys || arenaUsed >= maxKeyBytes;
            }
            int i = e - 1;
            if (hashes[i] == h && lengths[i] == length
                    && Arrays.equals(arena, offsets[i], offsets[i] + length, key, offset, offset + length)) {
                values[i] = mergeValue.apply(values[i], value);
                return false;
            }
            s = (s + 1) & mask;
        }
    }

    private void insert(int slot, byte[] key, int offset, int length, int h, Object combined) {
        if (size == offsets.length) {
            int grown = (int) Math.min((long) size * 2, Math.max(maxKeys, size + 1));
            offsets = Arrays.copyOf(offsets, grown);
            lengths = Arrays.copyOf(lengths, grown);
            hashes = Arrays.copyOf(hashes, grown);
            values = Arrays.copyOf(values, grown);
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
        values[size] = combined;
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
            sink.accept(arena, offsets[i], lengths[i], values[i]);
        }
        Arrays.fill(values, 0, size, null);
        Arrays.fill(slots, 0);
        size = 0;
        arenaUsed = 0;
    }
}
