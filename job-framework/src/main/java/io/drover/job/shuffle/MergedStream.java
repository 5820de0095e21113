package io.drover.job.shuffle;

import java.io.IOException;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges record streams that are each ordered by a {@link KeyOrder} into one ordered stream; equal
 * keys come out in stream order (earlier streams first), so the merge is stable. With a null
 * order the streams are concatenated.
 */
public final class MergedStream implements AutoCloseable {

    private final List<RecordStream> streams;
    private final PriorityQueue<Integer> heads;
    private final KeyOrder order;
    private int concatIndex;
    private RecordStream current;
    private int currentIndex = -1;

    public MergedStream(List<RecordStream> streams, KeyOrder order) throws IOException {
        this.streams = List.copyOf(streams);
        this.order = order;
        if (order == null) {
            heads = null;
            return;
        }
        heads = new PriorityQueue<>(Math.max(1, streams.size()), (x, y) -> {
            RecordStream a = this.streams.get(x);
            RecordStream b = this.streams.get(y);
            int c = order.compare(a.key(), 0, a.keyLength(), b.key(), 0, b.keyLength());
            return c != 0 ? c : Integer.compare(x, y);
        });
        for (int i = 0; i < this.streams.size(); i++) {
            if (this.streams.get(i).next()) {
                heads.add(i);
            }
        }
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
        if (current != null && current.next()) {
            heads.add(currentIndex);
        }
        Integer head = heads.poll();
        currentIndex = head == null ? -1 : head;
        current = head == null ? null : streams.get(head);
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
