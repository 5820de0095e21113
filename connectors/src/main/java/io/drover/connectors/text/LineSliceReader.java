package io.drover.connectors.text;

import io.drover.connectors.ByteSliceReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;

/**
 * Reads the lines of a byte range of a file as slices of one reused buffer.
 *
 * <p>A line ends at {@code '\n'}; a {@code '\r'} just before it (or just before the end of the
 * file) is dropped, so {@code "\r\n"} files read like {@code "\n"} ones. A last line without a final
 * newline is still a line; an empty file has none. The range owns the lines that <em>start</em> in
 * {@code [start, end)}: a range that starts mid-line skips to the first line starting at or after
 * {@code start}, and the line that starts before {@code end} is read to its end even past
 * {@code end}. Ranges that tile a file therefore read every line exactly once.
 *
 * <p>The buffer starts at the configured read size and grows only to fit a long line, up to
 * {@code maxLineBytes}; a longer line fails with an {@link IOException} naming the file and offset.
 */
public final class LineSliceReader implements ByteSliceReader {

    private final InputStream in;
    private final String name;
    private final long end;
    private final int maxLineBytes;
    private byte[] buf;
    /** Absolute position in the (uncompressed) stream of {@code buf[0]}. */
    private long bufBase;
    private int pos;
    private int limit;
    private boolean skipFirst;
    private boolean done;
    private int lineOffset = -1;
    private int lineLength;

    private LineSliceReader(InputStream in, String name, long bufBase, long end, boolean skipFirst,
            TextSourceConfig config) {
        this.in = in;
        this.name = name;
        this.bufBase = bufBase;
        this.end = end;
        this.skipFirst = skipFirst;
        this.maxLineBytes = config.maxLineBytes();
        this.buf = new byte[config.readBufferBytes()];
    }

    /**
     * Opens the lines starting in {@code [start, start + length)} of a plain file.
     *
     * @throws IOException if the file cannot be opened
     */
    public static LineSliceReader openRange(Path file, long start, long length, TextSourceConfig config)
            throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            // Reading from the byte before start tells whether a line starts exactly at start.
            long from = start == 0 ? 0 : start - 1;
            channel.position(from);
            return new LineSliceReader(Channels.newInputStream(channel), file.toString(), from, start + length,
                    start != 0, config);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens every line of a gzip file (one or more concatenated members); gzip cannot be split, so it
     * is read whole. Offsets in errors count uncompressed bytes.
     *
     * @throws IOException if the file cannot be opened or is not gzip, naming it
     */
    public static LineSliceReader openGzip(Path file, TextSourceConfig config) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return new LineSliceReader(new GZIPInputStream(raw, config.readBufferBytes()), file.toString(), 0,
                    Long.MAX_VALUE, false, config);
        } catch (IOException e) {
            raw.close();
            throw new IOException(file + ": not a gzip file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Override
    public boolean next() throws IOException {
        lineOffset = -1;
        if (done) {
            return false;
        }
        if (skipFirst) {
            skipFirst = false;
            if (!skipPastNewline()) {
                done = true;
                return false;
            }
        }
        if (bufBase + pos >= end) {
            done = true;
            return false;
        }
        int scanned = 0;
        while (true) {
            int newline = indexOfNewline(buf, pos + scanned, limit);
            if (newline >= 0) {
                setLine(pos, newline - pos);
                pos = newline + 1;
                return true;
            }
            scanned = limit - pos;
            if (scanned > maxLineBytes + 1) {
                throw new IOException("line longer than " + maxLineBytes + " bytes at byte " + (bufBase + pos)
                        + " of " + name);
            }
            if (!fill()) {
                if (limit > pos) {
                    setLine(pos, limit - pos);
                    pos = limit;
                    return true;
                }
                done = true;
                return false;
            }
        }
    }

    private void setLine(int offset, int length) {
        if (length > 0 && buf[offset + length - 1] == '\r') {
            length--;
        }
        lineOffset = offset;
        lineLength = length;
    }

    /** Skips through the first newline; false if the stream ends first. */
    private boolean skipPastNewline() throws IOException {
        while (true) {
            int newline = indexOfNewline(buf, pos, limit);
            if (newline >= 0) {
                pos = newline + 1;
                return true;
            }
            pos = limit;
            if (!fill()) {
                return false;
            }
        }
    }

    /**
     * Moves the unread bytes to the front, grows the buffer if they fill it, and reads more.
     *
     * @return false at the end of the stream
     */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            bufBase += pos;
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            long grown = Math.min(2L * buf.length, (long) maxLineBytes + 2);
            byte[] bigger = new byte[(int) Math.max(grown, buf.length + 1L)];
            System.arraycopy(buf, 0, bigger, 0, limit);
            buf = bigger;
        }
        int n;
        try {
            n = in.read(buf, limit, buf.length - limit);
        } catch (IOException e) {
            // A truncated or damaged gzip stream fails here; name the file, as every error should.
            throw new IOException(name + ": read failed at byte " + (bufBase + limit) + ": " + e.getMessage(), e);
        }
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }

    private static int indexOfNewline(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public byte[] buffer() {
        checkCurrent();
        return buf;
    }

    @Override
    public int offset() {
        checkCurrent();
        return lineOffset;
    }

    @Override
    public int length() {
        checkCurrent();
        return lineLength;
    }

    private void checkCurrent() {
        if (lineOffset < 0) {
            throw new IllegalStateException("no current line: call next() and check that it returned true");
        }
    }

    @Override
    public void close() throws IOException {
        done = true;
        lineOffset = -1;
        in.close();
    }
}
