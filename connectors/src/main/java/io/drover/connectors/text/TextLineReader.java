package io.drover.connectors.text;

import io.drover.connectors.Reader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Lines as {@code String}s, decoded from UTF-8 over a {@link LineSliceReader}. Malformed UTF-8
 * decodes to U+FFFD rather than failing, as {@link String#String(byte[], int, int,
 * java.nio.charset.Charset)} does.
 */
final class TextLineReader implements Reader<String> {

    private final LineSliceReader lines;
    private String current;

    TextLineReader(LineSliceReader lines) {
        this.lines = lines;
    }

    @Override
    public boolean next() throws IOException {
        if (lines.next()) {
            current = new String(lines.buffer(), lines.offset(), lines.length(), StandardCharsets.UTF_8);
            return true;
        }
        current = null;
        return false;
    }

    @Override
    public String current() {
        if (current == null) {
            throw new IllegalStateException("no current line: call next() and check that it returned true");
        }
        return current;
    }

    @Override
    public void close() throws IOException {
        current = null;
        lines.close();
    }
}
