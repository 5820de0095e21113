package io.drover.connectors.csv;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Cuts a file into rows by quote parity, the one rule that both the planner and the readers use,
 * so they always agree where rows start: a row ends at the first LF at which it has seen an even
 * number of {@code "} bytes (a doubled quote counts twice and changes nothing); a CR before that LF
 * is dropped. Every {@code "} is counted, so a quote inside an unquoted field (not RFC 4180) makes
 * the row run on to the next odd quote; the field parser then rejects that row.
 *
 * <p>Rows are read from {@code start} and the framer stops before the first row that starts at or
 * after {@code end}; the row that straddles {@code end} is read to its end.
 */
final class CsvFramer implements Closeable {

    private static final byte QUOTE = '"';
    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final FileChannel channel;
    private final long end;
    private final boolean copy;
    private final int maxRecordBytes;
    private final String file;
    private final byte[] buf;
    private int bufPos;
    private int bufLen;
    /** File offset of buf[0]. */
    private long bufBase;
    private boolean eof;

    private byte[] rec = new byte[256];
    private int recLen;
    private long recStart;
    private long recLine;
    private boolean recUnterminated;
    private long line;

    /**
     * @param copy whether to keep each row's bytes ({@link #bytes}); the planner only needs offsets
     */
    CsvFramer(Path file, long start, long end, long firstLine, boolean copy, int maxRecordBytes, int bufferBytes)
            throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.file = file.toString();
        this.end = end;
        this.copy = copy;
        this.maxRecordBytes = maxRecordBytes;
        this.buf = new byte[bufferBytes];
        this.bufBase = start;
        this.line = firstLine;
        channel.position(start);
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        bufBase += bufLen;
        bufPos = 0;
        bufLen = 0;
        ByteBuffer bb = ByteBuffer.wrap(buf);
        while (bufLen == 0) {
            int n = channel.read(bb);
            if (n < 0) {
                eof = true;
                return false;
            }
            bufLen = bb.position();
        }
        return true;
    }

    /** Advances to the next row; false when the next row starts at or after the end, or at EOF. */
    boolean next() throws IOException {
        if (bufPos == bufLen && !fill()) {
            return false;
        }
        recStart = bufBase + bufPos;
        if (recStart >= end) {
            return false;
        }
        recLine = line;
        recLen = 0;
        int quotes = 0;
        long lines = 0;
        boolean terminated = false;
        while (true) {
            byte[] b = buf;
            int n = bufLen;
            int i = bufPos;
            for (; i < n; i++) {
                byte c = b[i];
                if (c == QUOTE) {
                    quotes ^= 1;
                } else if (c == LF) {
                    lines++;
                    if (quotes == 0) {
                        break;
                    }
                }
            }
            if (copy) {
                append(b, bufPos, i - bufPos);
            }
            if (i < n) {
                bufPos = i + 1;
                terminated = true;
                break;
            }
            bufPos = n;
            if (!fill()) {
                break;
            }
        }
        line += lines;
        recUnterminated = quotes != 0;
        if (copy && terminated && recLen > 0 && rec[recLen - 1] == CR) {
            recLen--;
        }
        return true;
    }

    private void append(byte[] b, int off, int len) throws CsvFormatException {
        if (len == 0) {
            return;
        }
        int need = recLen + len;
        if (need > maxRecordBytes) {
            throw new CsvFormatException(file, recLine, "row longer than maxRecordBytes (" + maxRecordBytes + ")");
        }
        if (need > rec.length) {
            rec = Arrays.copyOf(rec, (int) Math.min(maxRecordBytes, Math.max(need, 2L * rec.length)));
        }
        System.arraycopy(b, off, rec, recLen, len);
        recLen = need;
    }

    /** The current row's bytes, without its line end; valid until the next {@link #next}. */
    byte[] bytes() {
        return rec;
    }

    int length() {
        return recLen;
    }

    /** The file offset where the current row starts. */
    long start() {
        return recStart;
    }

    /** The 1-based line on which the current row starts. */
    long line() {
        return recLine;
    }

    /** Whether the current row ran to the end of the file inside a quoted field. */
    boolean unterminated() {
        return recUnterminated;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
