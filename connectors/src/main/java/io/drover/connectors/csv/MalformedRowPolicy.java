package io.drover.connectors.csv;

/** What a {@link CsvSource} reader does with a row it cannot turn into a record. */
public enum MalformedRowPolicy {
    /** Fail the read with a {@link CsvFormatException} naming {@code file:line} and the reason. */
    FAIL,
    /**
     * Skip the row, count it ({@link CsvReader#rejectedRows()}), and append it with its
     * {@code file:line} and reason to the split's rejected-rows file, if a directory is configured.
     */
    SKIP
}
