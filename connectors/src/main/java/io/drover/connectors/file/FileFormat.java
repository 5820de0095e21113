package io.drover.connectors.file;

import io.drover.connectors.Writer;
import java.io.IOException;
import java.io.OutputStream;

/**
 * How records become the bytes of one part file; the commit mechanism of {@link FileSink} is the
 * same for every format.
 *
 * @param <T> the type of the records written
 */
public interface FileFormat<T> {

    /**
     * A writer of records to {@code out}, which is already buffered. Closing the writer must close
     * {@code out}.
     */
    Writer<T> newWriter(OutputStream out) throws IOException;

    /** The file name extension of part files, with its dot, or "" for none. */
    String extension();
}
