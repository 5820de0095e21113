package io.drover.connectors.csv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits one framed row (see {@link CsvFramer}) into its fields by RFC 4180: fields are separated by
 * the separator; a field that starts with {@code "} is quoted, may hold the separator, CR and LF, and
 * writes a quote as {@code ""}; a quote anywhere else, or anything but a separator after a closing
 * quote, makes the row malformed. Fields are UTF-8 (malformed bytes become U+FFFD).
 */
final class CsvRowParser {

    private static final byte QUOTE = '"';

    private final byte separator;
    private final List<String> fields = new ArrayList<>();
    private final List<Boolean> quoted = new ArrayList<>();
    private byte[] scratch = new byte[256];

    CsvRowParser(char separator) {
        this.separator = (byte) separator;
    }

    /**
     * Parses {@code row[0..len)}.
     *
     * @return null if the row is well formed ({@link #fields} then holds it), or why it is not
     */
    String parse(byte[] row, int len) {
        fields.clear();
        quoted.clear();
        int i = 0;
        while (true) {
            if (i < len && row[i] == QUOTE) {
                i++;
                int n = 0;
                while (true) {
                    if (i >= len) {
                        return "unterminated quoted field " + (fields.size() + 1);
                    }
                    byte c = row[i];
                    if (c == QUOTE) {
                        if (i + 1 < len && row[i + 1] == QUOTE) {
                            c = QUOTE;
                            i++;
                        } else {
                            i++;
                            break;
                        }
                    }
                    if (n == scratch.length) {
                        scratch = Arrays.copyOf(scratch, 2 * n);
                    }
                    scratch[n++] = c;
                    i++;
                }
                fields.add(new String(scratch, 0, n, StandardCharsets.UTF_8));
                quoted.add(Boolean.TRUE);
                if (i == len) {
                    return null;
                }
                if (row[i] != separator) {
                    return "unexpected character after the closing quote of field " + fields.size();
                }
                i++;
            } else {
                int s = i;
                while (i < len && row[i] != separator) {
                    if (row[i] == QUOTE) {
                        return "quote inside unquoted field " + (fields.size() + 1);
                    }
                    i++;
                }
                fields.add(new String(row, s, i - s, StandardCharsets.UTF_8));
                quoted.add(Boolean.FALSE);
                if (i == len) {
                    return null;
                }
                i++;
            }
        }
    }

    /** The fields of the last well-formed row. */
    List<String> fields() {
        return fields;
    }

    /** Whether field {@code i} of the last row was quoted ({@code ""} is an empty string, not null). */
    boolean quoted(int i) {
        return quoted.get(i);
    }
}
