package io.drover.connectors.csv;

import java.io.IOException;

/** A CSV row that cannot be read as a record, with where it is ({@code file:line}) and why. */
public final class CsvFormatException extends IOException {

    private final String file;
    private final long line;
    private final String reason;

    public CsvFormatException(String file, long line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    /** The 1-based line on which the row starts. */
    public long line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
