package io.drover.benchmarks.batch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The single-process programs the batch benchmarks compare Drover against: plain Java, two
 * threads (this machine's cores), no framework. They are written to be fast, as a user with
 * one machine would write them, so that the ratio says what Drover's distribution costs.
 *
 * <ul>
 *   <li>{@link #wordcount}: the file mapped in two halves cut at line ends, each thread counting
 *       words (runs of non-whitespace bytes) in an open-addressing table keyed by the word's
 *       bytes, tables merged, output {@code word TAB count} lines sorted by word bytes;
 *   <li>{@link #sort}: the records read into memory, a sort key of each (the first 5 key bytes
 *       and the record index packed in a long) sorted in two halves in parallel and merged,
 *       equal prefixes ordered by the whole 10-byte key, records written in order.
 * </ul>
 */
public final class Baselines {
    private Baselines() {}

    /** Counts the words of {@code input} into {@code output}; returns the number of distinct words. */
    public static long wordcount(Path input, Path output) throws Exception {
        try (FileChannel ch = FileChannel.open(input, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the baseline maps the input whole: at most 2 GiB");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            int mid = (int) (size / 2);
            while (mid < size && map.get(mid) != '\n') {
                mid++;
            }
            int cut = (int) Math.min(size, mid + 1L);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<WordTable> a = pool.submit(() -> count(map.duplicate(), 0, cut));
                Future<WordTable> b = pool.submit(() -> count(map.duplicate(), cut, (int) size));
                WordTable total = a.get();
                total.mergeFrom(b.get());
                total.writeSorted(output);
                return total.size;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static WordTable count(ByteBuffer buf, int from, int to) {
        WordTable table = new WordTable();
        byte[] chunk = new byte[1 << 16];
        byte[] word = new byte[256];
        int wordLen = 0;
        int pos = from;
        while (pos < to) {
            int n = Math.min(chunk.length, to - pos);
            buf.get(pos, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                byte c = chunk[i];
                if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                    if (wordLen > 0) {
                        table.add(word, wordLen, 1);
                        wordLen = 0;
                    }
                } else {
                    if (wordLen == word.length) {
                        word = Arrays.copyOf(word, word.length * 2);
                    }
                    word[wordLen++] = c;
                }
            }
            pos += n;
        }
        if (wordLen > 0) {
            table.add(word, wordLen, 1);
        }
        return table;
    }

    /** Open addressing over word bytes kept in one growing arena. */
    static final class WordTable {
        private int[] slots = new int[1 << 16]; // 0 = empty, else entry index + 1
        private int[] offsets = new int[1 << 15];
        private int[] lengths = new int[1 << 15];
        private int[] hashes = new int[1 << 15];
        private long[] counts = new long[1 << 15];
        private byte[] arena = new byte[1 << 20];
        private int arenaUsed;
        int size;

        void add(byte[] w, int len, long n) {
            int h = hash(w, len);
            int mask = slots.length - 1;
            int s = h & mask;
            while (true) {
                int e = slots[s];
                if (e == 0) {
                    insert(s, w, len, h, n);
                    return;
                }
                int i = e - 1;
                if (hashes[i] == h && lengths[i] == len && Arrays.equals(arena, offsets[i], offsets[i] + len, w, 0, len)) {
                    counts[i] += n;
                    return;
                }
                s = (s + 1) & mask;
            }
        }

        private void insert(int slot, byte[] w, int len, int h, long n) {
            if (size == offsets.length) {
                offsets = Arrays.copyOf(offsets, size * 2);
                lengths = Arrays.copyOf(lengths, size * 2);
                hashes = Arrays.copyOf(hashes, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            if (arenaUsed + len > arena.length) {
                arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + len));
            }
            System.arraycopy(w, 0, arena, arenaUsed, len);
            offsets[size] = arenaUsed;
            lengths[size] = len;
            hashes[size] = h;
            counts[size] = n;
            arenaUsed += len;
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

        void mergeFrom(WordTable other) {
            for (int i = 0; i < other.size; i++) {
                add(Arrays.copyOfRange(other.arena, other.offsets[i], other.offsets[i] + other.lengths[i]), other.lengths[i], other.counts[i]);
            }
        }

        void writeSorted(Path output) throws IOException {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(arena, offsets[x], offsets[x] + lengths[x], arena, offsets[y],
                    offsets[y] + lengths[y]));
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 20)) {
                for (int i : order) {
                    out.write(arena, offsets[i], lengths[i]);
                    out.write('\t');
                    out.write(Long.toString(counts[i]).getBytes(StandardCharsets.US_ASCII));
                    out.write('\n');
                }
            }
        }

        private static int hash(byte[] w, int len) {
            int h = 0x811c9dc5;
            for (int i = 0; i < len; i++) {
                h = (h ^ w[i]) * 0x01000193;
            }
            return h ^ (h >>> 16);
        }
    }

    /** Sorts the 100-byte records of {@code input} by their 10-byte keys into {@code output}; returns the record count. */
    public static long sort(Path input, Path output) throws Exception {
        long size = Files.size(input);
        if (size % BatchData.RECORD != 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input must be whole 100-byte records, at most 2 GiB: " + size + " bytes");
        }
        int n = (int) (size / BatchData.RECORD);
        if (n >= 1 << 24) {
            throw new IllegalArgumentException("the baseline packs record indexes in 24 bits: at most 16,777,215 records");
        }
        byte[] data = Files.readAllBytes(input);
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int o = i * BatchData.RECORD;
            long prefix = 0;
            for (int k = 0; k < 5; k++) {
                prefix = (prefix << 8) | (data[o + k] & 0xff);
            }
            // 40 key bits then 24 index bits; flipping the sign bit makes signed order unsigned.
            keys[i] = ((prefix << 24) | i) ^ Long.MIN_VALUE;
        }
        int half = n / 2;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> parts = new ArrayList<>();
            parts.add(pool.submit(() -> Arrays.sort(keys, 0, half)));
            parts.add(pool.submit(() -> Arrays.sort(keys, half, n)));
            for (Future<?> f : parts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int[] order = new int[n];
        int i = 0;
        int j = half;
        int k = 0;
        while (i < half && j < n) {
            order[k++] = Long.compare(keys[i], keys[j]) <= 0 ? index(keys[i++]) : index(keys[j++]);
        }
        while (i < half) {
            order[k++] = index(keys[i++]);
        }
        while (j < n) {
            order[k++] = index(keys[j++]);
        }
        // Records whose first five key bytes are equal: order them by the whole key.
        int runStart = 0;
        for (int r = 1; r <= n; r++) {
            if (r == n || prefix(data, order[r]) != prefix(data, order[runStart])) {
                if (r - runStart > 1) {
                    Integer[] run = new Integer[r - runStart];
                    for (int q = 0; q < run.length; q++) {
                        run[q] = order[runStart + q];
                    }
                    Arrays.sort(run, (x, y) -> Arrays.compareUnsigned(data, x * BatchData.RECORD, x * BatchData.RECORD + BatchData.KEY,
                            data, y * BatchData.RECORD, y * BatchData.RECORD + BatchData.KEY));
                    for (int q = 0; q < run.length; q++) {
                        order[runStart + q] = run[q];
                    }
                }
                runStart = r;
            }
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 20)) {
            for (int idx : order) {
                out.write(data, idx * BatchData.RECORD, BatchData.RECORD);
            }
        }
        return n;
    }

    private static int index(long key) {
        return (int) (key & 0xffffff);
    }

    private static long prefix(byte[] data, int record) {
        long p = 0;
        for (int k = 0; k < 5; k++) {
            p = (p << 8) | (data[record * BatchData.RECORD + k] & 0xff);
        }
        return p;
    }
}
