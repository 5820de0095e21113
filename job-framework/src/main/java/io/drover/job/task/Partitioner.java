package io.drover.job.task;

import io.drover.job.plan.JobPlan;
import io.drover.job.plan.ShuffleSpec;
import io.drover.job.plan.StageOutput;
import io.drover.job.serde.ByteBuf;
import io.drover.job.shuffle.KeyOrder;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleFetcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which reduce partition an encoded key goes to: a hash of its bytes (the same in every JVM), or
 * for a range shuffle the first partition whose upper bound is not below it.
 */
interface Partitioner {

    /** The partition of the encoded key {@code key[offset .. offset+length)}. */
    int partition(byte[] key, int offset, int length);

    static Partitioner of(JobPlan plan, StageOutput.Shuffle shuffle, ShuffleFetcher fetcher) throws IOException {
        int n = shuffle.reducePartitions();
        if (!shuffle.spec().range()) {
            return (key, offset, length) -> Math.floorMod(ByteBuf.hash(key, offset, length), n);
        }
        ShuffleSpec spec = shuffle.spec();
        KeyOrder order = KeyOrder.of(spec);
        byte[][] bounds = Bounds.of(plan, shuffle.sampleStage(), n, order, fetcher);
        if (order == KeyOrder.BYTES) {
            // Compare 8-byte prefixes as unsigned longs, the whole keys only where they tie.
            long[] prefixes = new long[bounds.length];
            for (int i = 0; i < bounds.length; i++) {
                prefixes[i] = prefix(bounds[i], 0, bounds[i].length);
            }
            return (key, offset, length) -> {
                long p = prefix(key, offset, length);
                int lo = 0;
                int hi = bounds.length;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    int c = Long.compareUnsigned(p, prefixes[mid]);
                    if (c == 0) {
                        c = ByteBuf.compare(key, offset, length, bounds[mid], 0, bounds[mid].length);
                    }
                    if (c <= 0) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                return lo;
            };
        }
        return (key, offset, length) -> {
            int lo = 0;
            int hi = bounds.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (order.compare(key, offset, length, bounds[mid], 0, bounds[mid].length) <= 0) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        };
    }

    /**
     * The {@code n - 1} upper bounds of the first {@code n - 1} partitions, at even quantiles of
     * every sample task's keys; the same in every task, since it depends only on the samples.
     */
    static byte[][] bounds(JobPlan plan, int sampleStage, int n, KeyOrder order, ShuffleFetcher fetcher)
            throws IOException {
        List<byte[]> keys = new ArrayList<>();
        int tasks = plan.stage(sampleStage).partitions();
        for (int m = 0; m < tasks; m++) {
            try (RecordStream s = fetcher.fetch(sampleStage, m, 0)) {
                while (s.next()) {
                    keys.add(s.copyKey());
                }
            }
        }
        if (order == KeyOrder.BYTES) {
            keys = sortedBytes(keys);
        } else {
            keys.sort((a, b) -> {
                int c = order.compare(a, 0, a.length, b, 0, b.length);
                return c != 0 ? c : ByteBuf.compare(a, 0, a.length, b, 0, b.length);
            });
        }
        if (keys.isEmpty() || n == 1) {
            return new byte[0][];
        }
        byte[][] bounds = new byte[n - 1][];
        for (int i = 1; i < n; i++) {
            bounds[i - 1] = keys.get((int) Math.min(keys.size() - 1, (long) i * keys.size() / n));
        }
        return bounds;
    }
    /** The first eight bytes of a key, big-endian, zero-padded: unsigned long order agrees with byte order. */
    static long prefix(byte[] key, int offset, int length) {
        int n = Math.min(8, length);
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (key[offset + i] & 0xFF);
        }
        return n == 0 ? 0 : v << (8 * (8 - n));
    }

    /**
     * The keys in unsigned byte order: a primitive sort of (first four bytes, index) packed in longs,
     * with full compares only among equal prefixes; some ten times cheaper than a comparator sort.
     */
    static List<byte[]> sortedBytes(List<byte[]> keys) {
        int n = keys.size();
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] k = keys.get(i);
            int prefix = 0;
            for (int j = 0; j < 4; j++) {
                prefix = (prefix << 8) | (j < k.length ? k[j] & 0xFF : 0);
            }
            packed[i] = ((long) (prefix ^ 0x80000000) << 32) | i;
        }
        java.util.Arrays.sort(packed);
        List<byte[]> sorted = new ArrayList<>(n);
        for (int i = 0; i < n;) {
            int end = i + 1;
            while (end < n && (packed[end] >>> 32) == (packed[i] >>> 32)) {
                end++;
            }
            int from = sorted.size();
            for (int j = i; j < end; j++) {
                sorted.add(keys.get((int) packed[j]));
            }
            if (end - i > 1) {
                sorted.subList(from, sorted.size()).sort((a, b) -> ByteBuf.compare(a, 0, a.length, b, 0, b.length));
            }
            i = end;
        }
        return sorted;
    }

    /**
     * The bounds of a range shuffle, read and sorted once per plan object in a JVM rather than once
     * per map task: they depend only on the sample stage's (deterministic) output, so every task of
     * a run gets the same bounds either way. Holds the last few plans' bounds.
     */
    final class Bounds {
        private static final int MAX_ENTRIES = 8;

        private record Key(JobPlan plan, int sampleStage, int partitions) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.plan == plan && k.sampleStage == sampleStage
                        && k.partitions == partitions;
            }

            @Override
            public int hashCode() {
                return System.identityHashCode(plan) * 31 + sampleStage * 17 + partitions;
            }
        }

        private static final Map<Key, byte[][]> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, byte[][]> eldest) {
                return size() > MAX_ENTRIES;
            }
        };

        private Bounds() {}

        static byte[][] of(JobPlan plan, int sampleStage, int n, KeyOrder order, ShuffleFetcher fetcher)
                throws IOException {
            Key key = new Key(plan, sampleStage, n);
            synchronized (CACHE) {
                byte[][] cached = CACHE.get(key);
                if (cached != null) {
                    return cached;
                }
            }
            byte[][] bounds = bounds(plan, sampleStage, n, order, fetcher);
            synchronized (CACHE) {
                CACHE.put(key, bounds);
            }
            return bounds;
        }
    }
}
