package io.drover.connectors;

import java.io.IOException;

/** A source whose records can also be read as byte slices, without decoding or copying. */
public interface ByteSliceSource {

    /**
     * Opens a zero-copy reader over one split; it yields the same records, in the same order, as
     * {@link Source#open} would, as their raw bytes.
     *
     * @throws IllegalArgumentException if the split is not of this source's type
     * @throws IOException if the split's data cannot be opened
     */
    ByteSliceReader openSlices(Split split) throws IOException;
}
