package io.drover.job.shuffle;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes one map task's partitioned output: records go into a bounded in-memory buffer; when it
 * fills, it is sorted by partition (and by key, where an order is given) and spilled to disk as a
 * run in the map output format; at {@link #commit} the runs are merged (at most
 * {@link ShuffleConfig#mergeFanIn} at once, in passes) into one data file and its index.
 *
 * <p>Without a key order records keep their arrival order within a partition (the sort and merge
 * are stable). Memory: the buffer, its 4-byte-per-record index, and one read buffer per merged
 * run. Not thread-safe.
 */
public final class MapOutputWriter implements AutoCloseable {

    private static final int RECORD_HEADER_BYTES = 12;
    private static final int WRITE_BUFFER_BYTES = 256 << 10;

    private final int partitions;
    private final KeyOrder order;
    private final ShuffleConfig config;
    private final Path spillDir;
    private final List<Run> runs = new ArrayList<>();
    private byte[] arena;
    private int used;
    private int[] positions = new int[1024];
    private int count;
    private long records;
    private int spills;

    /** A sorted run on disk: a data file and its index. */
    private record Run(Path data, ShuffleIndex index) {}

    /**
     * @param partitions the reduce partitions, 1 or more
     * @param order the key order within a partition, or null to keep arrival order
     * @param spillDir where runs go; created on the first spill, deleted by {@link #close}
     */
    public MapOutputWriter(int partitions, KeyOrder order, ShuffleConfig config, Path spillDir) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        this.partitions = partitions;
        this.order = order;
        this.config = config;
        this.spillDir = spillDir;
        this.arena = new byte[(int) Math.min(config.bufferBytes(), 1 << 20)];
    }

    /** Adds one record to a partition. */
    public void add(int partition, byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) throws IOException {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " out of 0.." + (partitions - 1));
        }
        long needed = RECORD_HEADER_BYTES + (long) kLen + vLen;
        if (count > 0 && used + needed + 4L * (count + 1) > config.bufferBytes()) {
            spill();
        }
        ensureArena(needed);
        if (count == positions.length) {
            positions = Arrays.copyOf(positions, count * 2);
        }
        positions[count++] = used;
        putInt(partition);
        putInt(kLen);
        putInt(vLen);
        System.arraycopy(k, kOff, arena, used, kLen);
        used += kLen;
        System.arraycopy(v, vOff, arena, used, vLen);
        used += vLen;
        records++;
    }

    private void ensureArena(long needed) {
        long want = used + needed;
        if (want > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a shuffle record of " + needed + " bytes does not fit the sort buffer");
        }
        if (want > arena.length) {
            long grown = Math.max(want, Math.min(2L * arena.length, Math.max(config.bufferBytes(), want)));
            arena = Arrays.copyOf(arena, (int) grown);
        }
    }

    private void putInt(int v) {
        arena[used] = (byte) (v >>> 24);
        arena[used + 1] = (byte) (v >>> 16);
        arena[used + 2] = (byte) (v >>> 8);
        arena[used + 3] = (byte) v;
        used += 4;
    }

    private int getInt(int at) {
        return ((arena[at] & 0xFF) << 24) | ((arena[at + 1] & 0xFF) << 16) | ((arena[at + 2] & 0xFF) << 8)
                | (arena[at + 3] & 0xFF);
    }

    /** Records added so far. */
    public long records() {
        return records;
    }

    /** Runs spilled to disk so far. */
    public int spills() {
        return spills;
    }

    private void sortBuffer() {
        if (order == null || order == KeyOrder.BYTES) {
            sortByPartitionThenPrefix();
            return;
        }
        int[] sorted = Arrays.copyOf(positions, count);
        int[] tmp = new int[count];
        mergeSort(sorted, tmp, 0, count);
        System.arraycopy(sorted, 0, positions, 0, count);
    }

    /**
     * The same stable order as the merge sort for arrival order and byte order, without a comparator
     * call per comparison: a counting sort by partition, then within a partition a primitive sort of
     * (first four key bytes, arrival index) packed in longs; only records whose four-byte prefixes tie
     * are compared in full.
     */
    private void sortByPartitionThenPrefix() {
        int[] starts = new int[partitions + 1];
        for (int i = 0; i < count; i++) {
            starts[getInt(positions[i]) + 1]++;
        }
        for (int p = 0; p < partitions; p++) {
            starts[p + 1] += starts[p];
        }
        int[] next = Arrays.copyOf(starts, partitions);
        int[] byPartition = new int[count];
        for (int i = 0; i < count; i++) {
            int at = positions[i];
            byPartition[next[getInt(at)]++] = at;
        }
        if (order == null) {
            System.arraycopy(byPartition, 0, positions, 0, count);
            return;
        }
        long[] keys = new long[count];
        int[] tmp = null;
        for (int p = 0; p < partitions; p++) {
            int from = starts[p];
            int to = starts[p + 1];
            for (int j = from; j < to; j++) {
                // The sign bit flipped, so that signed long order is unsigned prefix order.
                keys[j] = ((long) (prefix(byPartition[j]) ^ 0x80000000) << 32) | (j - from);
            }
            Arrays.sort(keys, from, to);
            for (int j = from; j < to; j++) {
                positions[j] = byPartition[from + (int) keys[j]];
            }
            for (int j = from; j < to;) {
                int end = j + 1;
                while (end < to && (keys[end] >>> 32) == (keys[j] >>> 32)) {
                    end++;
                }
                if (end - j > 1) {
                    if (tmp == null) {
                        tmp = new int[count];
                    }
                    mergeSort(positions, tmp, j, end);
                }
                j = end;
            }
        }
    }

    /** The first four bytes of a record's key, big-endian, zero-padded. */
    private int prefix(int at) {
        int kLen = getInt(at + 4);
        int k = at + RECORD_HEADER_BYTES;
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (i < kLen ? arena[k + i] & 0xFF : 0);
        }
        return v;
    }

    private int compareRecords(int a, int b) {
        int c = Integer.compare(getInt(a), getInt(b));
        if (c != 0 || order == null) {
            return c;
        }
        return order.compare(arena, a + RECORD_HEADER_BYTES, getInt(a + 4), arena, b + RECORD_HEADER_BYTES,
                getInt(b + 4));
    }

    /** Stable top-down merge sort of {@code a[from, to)} using {@code tmp}. */
    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 16) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= from && compareRecords(a[j], x) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (compareRecords(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && compareRecords(tmp[i], tmp[j]) <= 0)) {
                a[k] = tmp[i++];
            } else {
                a[k] = tmp[j++];
            }
        }
    }

    private void spill() throws IOException {
        Files.createDirectories(spillDir);
        Path data = spillDir.resolve("run-" + spills + ".data");
        runs.add(new Run(data, writeBuffer(data)));
        spills++;
        count = 0;
        used = 0;
    }

    /** Sorts the buffer and writes it to {@code data} in the map output format; returns the index. */
    private ShuffleIndex writeBuffer(Path data) throws IOException {
        sortBuffer();
        Compression compression = config.compression().worthItOn(arena, 0, used);
        long[] offsets = new long[partitions + 1];
        try (FileChannel channel = FileChannel.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                CountingOutputStream out = new CountingOutputStream(
                        new BufferedOutputStream(Channels.newOutputStream(channel), WRITE_BUFFER_BYTES))) {
            int i = 0;
            for (int p = 0; p < partitions; p++) {
                offsets[p] = out.count;
                if (i < count && getInt(positions[i]) == p) {
                    try (OutputStream block = compression.compress(out)) {
                        while (i < count && getInt(positions[i]) == p) {
                            int at = positions[i];
                            int kLen = getInt(at + 4);
                            int vLen = getInt(at + 8);
                            RecordStream.write(block, arena, at + RECORD_HEADER_BYTES, kLen, arena,
                                    at + RECORD_HEADER_BYTES + kLen, vLen);
                            i++;
                        }
                    }
                }
            }
            offsets[partitions] = out.count;
            out.flush();
            if (config.fsync()) {
                channel.force(false);
            }
        }
        return new ShuffleIndex(compression, offsets);
    }

    /**
     * Writes the final output to {@code dataFile} and {@code indexFile}, each first under a
     * temporary name and then renamed, the index last: a reader that finds the index finds the
     * whole output.
     *
     * @return the bytes of the data file
     */
    public long commit(Path dataFile, Path indexFile) throws IOException {
        Files.createDirectories(dataFile.getParent());
        Path tmpData = dataFile.resolveSibling(dataFile.getFileName() + ".tmp");
        Path tmpIndex = indexFile.resolveSibling(indexFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmpData);
        Files.deleteIfExists(tmpIndex);
        ShuffleIndex index;
        if (runs.isEmpty()) {
            index = writeBuffer(tmpData);
        } else {
            if (count > 0) {
                spill();
            }
            while (runs.size() > config.mergeFanIn()) {
                Path merged = spillDir.resolve("run-" + spills++ + ".data");
                List<Run> group = new ArrayList<>(runs.subList(0, config.mergeFanIn()));
                Run run = new Run(merged, merge(group, merged));
                for (Run r : group) {
                    Files.deleteIfExists(r.data);
                }
                runs.subList(0, config.mergeFanIn()).clear();
                runs.add(0, run);
            }
            index = merge(runs, tmpData);
        }
        try (OutputStream out = Files.newOutputStream(tmpIndex)) {
            index.write(out);
        }
        if (config.fsync()) {
            try (FileChannel c = FileChannel.open(tmpIndex, StandardOpenOption.WRITE)) {
                c.force(false);
            }
        }
        move(tmpData, dataFile);
        move(tmpIndex, indexFile);
        return index.offsets()[partitions];
    }

    private ShuffleIndex merge(List<Run> group, Path target) throws IOException {
        long[] offsets = new long[partitions + 1];
        // Runs that were not worth compressing make a merged run that is not either.
        Compression compression = group.stream().allMatch(r -> r.index.compression() == Compression.NONE)
                ? Compression.NONE : config.compression();
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                CountingOutputStream out = new CountingOutputStream(
                        new BufferedOutputStream(Channels.newOutputStream(channel), WRITE_BUFFER_BYTES))) {
            for (int p = 0; p < partitions; p++) {
                offsets[p] = out.count;
                List<RecordStream> streams = new ArrayList<>(group.size());
                boolean any = false;
                for (Run r : group) {
                    if (r.index.length(p) > 0) {
                        streams.add(openBlock(r, p));
                        any = true;
                    }
                }
                if (!any) {
                    continue;
                }
                try (MergedStream merged = new MergedStream(streams, order);
                        OutputStream block = compression.compress(out)) {
                    while (merged.next()) {
                        RecordStream s = merged.current();
                        RecordStream.write(block, s.key(), 0, s.keyLength(), s.value(), 0, s.valueLength());
                    }
                }
            }
            offsets[partitions] = out.count;
            out.flush();
            if (config.fsync()) {
                channel.force(false);
            }
        }
        return new ShuffleIndex(compression, offsets);
    }

    private static RecordStream openBlock(Run run, int p) throws IOException {
        FileChannel channel = FileChannel.open(run.data, StandardOpenOption.READ);
        channel.position(run.index.start(p));
        InputStream range = new LocalShuffleFetcher.BoundedInputStream(
                new java.io.BufferedInputStream(Channels.newInputStream(channel), 64 << 10), run.index.length(p));
        return new RecordStream(run.index.compression().decompress(range));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes the spilled runs. */
    @Override
    public void close() throws IOException {
        arena = new byte[0];
        if (Files.exists(spillDir)) {
            try (Stream<Path> files = Files.walk(spillDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
