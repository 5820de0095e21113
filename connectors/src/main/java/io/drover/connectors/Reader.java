package io.drover.connectors;

import java.io.IOException;

/**
 * Reads the records of one split, one at a time.
 *
 * <p>Usage: {@code while (reader.next()) use(reader.current());}. A reader holds a bounded buffer;
 * it is not thread-safe, and must be closed.
 *
 * @param <T> the type of the records read
 */
public interface Reader<T> extends AutoCloseable {

    /**
     * Advances to the next record.
     *
     * @return true if there is a record, which {@link #current} then returns; false at the end of
     *     the split, and on every later call
     * @throws IOException if reading fails or a record exceeds the reader's limits
     */
    boolean next() throws IOException;

    /**
     * The record that the last successful {@link #next} advanced to.
     *
     * @throws IllegalStateException before the first {@code next} or after it returned false
     */
    T current();

    /** Releases the reader's file handles and buffers; idempotent. */
    @Override
    void close() throws IOException;
}
