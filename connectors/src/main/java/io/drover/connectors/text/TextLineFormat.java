package io.drover.connectors.text;

import io.drover.connectors.file.FileFormat;
import java.io.OutputStream;

/** UTF-8 text, one record per line, each ended by {@code '\n'}; part files have no extension. */
public final class TextLineFormat implements FileFormat<String> {

    @Override
    public TextLineWriter newWriter(OutputStream out) {
        return new TextLineWriter(out);
    }

    @Override
    public String extension() {
        return "";
    }
}
