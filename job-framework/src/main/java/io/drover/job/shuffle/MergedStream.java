package io.drover.job.shuffle;

import java.io.IOException;
import java.util.List;

/**
 * Merges record streams that are each ordered by a {@link KeyOrder} into one ordered stream; equal
 * keys come out in stream order (earlier streams first), so the merge is stable. With a null
 * order the streams are concatenated.
 */
public final class MergedStream implements AutoCloseable {

    private final List<RecordStream> streams;
    private final KeyOrder order;
    /** Stream indexes in a binary min-heap; the top is the current record's stream while it is read. */
    private final int[] heap;
    /** The first eight key bytes of each stream's record, big-endian and zero-padded, in byte order. */
    private final long[] prefixes;
    private final boolean byteOrder;
    private int size;
    private int concatIndex;
    private RecordStream current;

    public MergedStream(List<RecordStream> streams, KeyOrder order) throws IOException {
        this.streams = List.copyOf(streams);
        this.order = order;
        this.byteOrder = order == KeyOrder.BYTES;
        if (order == null) {
            heap = null;
            prefixes = null;
            return;
        }
        heap = new int[this.streams.size()];
        prefixes = new long[this.streams.size()];
        for (int i = 0; i < this.streams.size(); i++) {
            if (this.streams.get(i).next()) {
                prefixes[i] = prefix(this.streams.get(i));
                heap[size++] = i;
            }
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    private static long prefix(RecordStream s) {
        byte[] k = s.key();
        int n = Math.min(8, s.keyLength());
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (k[i] & 0xFF);
        }
        return v << (8 * (8 - n));
    }

    /** Whether stream x's record goes before stream y's: by key, then by stream order. */
    private boolean before(int x, int y) {
        if (byteOrder) {
            int c = Long.compareUnsigned(prefixes[x], prefixes[y]);
            if (c != 0) {
                return c < 0;
            }
        }
        RecordStream a = streams.get(x);
        RecordStream b = streams.get(y);
        int c = order.compare(a.key(), 0, a.keyLength(), b.key(), 0, b.keyLength());
        return c != 0 ? c < 0 : x < y;
    }

    private void siftDown(int i) {
        int x = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], x)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = x;
    }

    /** Advances to the next record in order; false when every stream is done. */
    public boolean next() throws IOException {
        if (order == null) {
            while (concatIndex < streams.size()) {
                if (streams.get(concatIndex).next()) {
                    current = streams.get(concatIndex);
                    return true;
                }
                concatIndex++;
            }
            current = null;
            return false;
        }
        if (current != null) {
            int top = heap[0];
            if (current.next()) {
                prefixes[top] = prefix(current);
            } else {
                heap[0] = heap[--size];
            }
            if (size > 0) {
                siftDown(0);
            }
        }
        current = size == 0 ? null : streams.get(heap[0]);
        return current != null;
    }

    /** The stream holding the current record; read its key and value. */
    public RecordStream current() {
        return current;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (RecordStream s : streams) {
            try {
                s.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
