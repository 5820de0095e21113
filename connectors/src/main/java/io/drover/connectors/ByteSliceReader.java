package io.drover.connectors;

import java.io.IOException;

/**
 * Reads the records of one split as byte slices of an internal buffer, without copying: the hot
 * path for record formats that are bytes first (text lines, before any decoding).
 *
 * <p>After {@link #next} returns true, the record is {@code buffer()[offset() .. offset()+length())}.
 * The slice is valid only until the next call to {@code next} or {@code close}: the buffer is
 * reused, and may be replaced by a larger one. Callers that keep a record must copy it.
 */
public interface ByteSliceReader extends AutoCloseable {

    /**
     * Advances to the next record.
     *
     * @return true if there is a record; false at the end of the split, and on every later call
     * @throws IOException if reading fails or a record exceeds the reader's limits
     */
    boolean next() throws IOException;

    /** The buffer holding the current record; do not modify it. */
    byte[] buffer();

    /** Where the current record starts in {@link #buffer()}. */
    int offset();

    /** The length of the current record in bytes, 0 or more. */
    int length();

    /** Releases the reader's file handles and buffers; idempotent. */
    @Override
    void close() throws IOException;
}
