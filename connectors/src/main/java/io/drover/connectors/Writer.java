package io.drover.connectors;

import java.io.IOException;

/**
 * Writes the records of one task attempt. Buffers are bounded: a writer holds at most its
 * configured buffer in memory and flushes when it is full. Not thread-safe.
 *
 * @param <T> the type of the records written
 */
public interface Writer<T> extends AutoCloseable {

    /**
     * Writes one record.
     *
     * @throws IllegalStateException after {@link #close}
     * @throws IOException if writing fails; the attempt should then be aborted
     */
    void write(T record) throws IOException;

    /**
     * Flushes and closes the writer. Only after a successful close may the attempt be committed.
     * Idempotent.
     */
    @Override
    void close() throws IOException;
}
