package io.drover.connectors.avro;

import io.drover.connectors.Reader;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads the records of the blocks of one Avro container file that belong to a byte range.
 *
 * <p>Every block of a container file follows a 16-byte sync marker (the header ends with one, and
 * so does every block). A block belongs to the range in which the sync marker before it
 * <em>starts</em>: the reader seeks to the first marker at or after the range's start
 * ({@link DataFileReader#sync}) and reads blocks until the marker before the next one starts at or
 * past the range's end ({@link DataFileReader#pastSync}), checking that before it loads the block,
 * so it never reads a block of the next range. Ranges that tile a file read every block exactly once.
 *
 * <p>A block is read and decompressed whole, so a reader holds about one block (the writer's sync
 * interval, 64 KiB by default) in memory. A block that cannot be read (a damaged sync marker or
 * size, a decompression or checksum failure, data that does not decode) fails {@link #next} with an
 * {@link IOException} naming the file and the byte offset where the block starts.
 */
final class AvroReader implements Reader<GenericRecord> {

    private final DataFileReader<GenericRecord> file;
    private final String name;
    private final long end;
    private GenericRecord current;
    private boolean done;
    /** A block that failed fails every later call too: a damaged split never looks finished. */
    private IOException failure;

    private AvroReader(DataFileReader<GenericRecord> file, String name, long end) {
        this.file = file;
        this.name = name;
        this.end = end;
    }

    /**
     * Opens the blocks of {@code path} whose sync markers start in {@code [start, start + length)},
     * read as {@code readerSchema}.
     *
     * @throws IOException naming the file if it is not an Avro container file or cannot be read as
     *     {@code readerSchema}
     */
    static AvroReader open(Path path, long start, long length, Schema readerSchema) throws IOException {
        DataFileReader<GenericRecord> file = AvroFiles.open(path, readerSchema);
        try {
            file.sync(start);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw new IOException(path + ": cannot find a sync marker after byte " + start + ": "
                    + AvroFiles.oneLine(e), e);
        }
        return new AvroReader(file, path.toString(), start + length);
    }

    @Override
    public boolean next() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (done) {
            return false;
        }
        long blockStart = file.previousSync();
        try {
            if (file.pastSync(end) || !file.hasNext()) {
                done = true;
                current = null;
                return false;
            }
            current = file.next();
            return true;
        } catch (IOException | RuntimeException e) {
            done = true;
            current = null;
            failure = new IOException(name + ": corrupted Avro block at byte " + blockStart + ": "
                    + AvroFiles.oneLine(e), e);
            throw failure;
        }
    }

    @Override
    public GenericRecord current() {
        if (current == null) {
            throw new IllegalStateException("no current record: call next() and check that it returned true");
        }
        return current;
    }

    @Override
    public void close() throws IOException {
        done = true;
        current = null;
        file.close();
    }
}
