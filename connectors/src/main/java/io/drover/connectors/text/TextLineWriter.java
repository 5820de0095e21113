package io.drover.connectors.text;

import io.drover.connectors.Writer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes lines as UTF-8, each followed by {@code '\n'}, to a buffered stream. Besides
 * {@link #write(String)}, {@link #writeLine(byte[], int, int)} writes a line's bytes without
 * decoding, the mirror of {@link LineSliceReader}.
 */
public final class TextLineWriter implements Writer<String> {

    private final OutputStream out;
    private boolean closed;

    TextLineWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Writes one line.
     *
     * @throws IllegalArgumentException if the line contains {@code '\n'}, which would make it two
     */
    @Override
    public void write(String line) throws IOException {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line must not contain '\\n'");
        }
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        writeLine(bytes, 0, bytes.length);
    }

    /**
     * Writes the UTF-8 bytes of one line, which the caller promises hold no {@code '\n'}; not
     * checked, since this is the hot path.
     */
    public void writeLine(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        out.write(buf, off, len);
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
