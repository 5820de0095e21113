package io.drover.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One output stream of a task, written to a size-bounded set of files: {@code name} is the current
 * file; when it reaches {@code maxBytes} it is renamed {@code name.1}, an older {@code name.1}
 * becomes {@code name.2}, and so on up to {@code name.<maxRolledFiles>}; the oldest is dropped.
 * So one stream never takes more than {@code maxBytes * (maxRolledFiles + 1)} bytes of disk, and
 * {@code name} always holds the newest bytes (at most {@code maxBytes} of them).
 *
 * <p>{@link #pump} copies a process's pipe into such a set on one named daemon thread, which ends
 * when the pipe closes: when the last process holding its write end (the task and any children
 * it left) has exited or was killed.
 */
final class RotatingLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RotatingLog.class);
    private static final int BUFFER_BYTES = 8 * 1024;

    private final Path file;
    private final long maxBytes;
    private final int maxRolledFiles;
    private OutputStream out;
    private long size;

    /**
     * Creates (or truncates) {@code file}.
     *
     * @param maxBytes most bytes in one file, at least 1
     * @param maxRolledFiles rolled files kept beside the current one, at least 0 (0: the current
     *     file starts over when full)
     */
    RotatingLog(Path file, long maxBytes, int maxRolledFiles) throws IOException {
        if (maxBytes < 1 || maxRolledFiles < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 1 and maxRolledFiles >= 0, were " + maxBytes + " and " + maxRolledFiles);
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.maxRolledFiles = maxRolledFiles;
        this.out = open();
    }

    /** Appends the bytes, rolling files over as each fills; a file never exceeds maxBytes. */
    void write(byte[] bytes, int off, int len) throws IOException {
        while (len > 0) {
            if (size >= maxBytes) {
                roll();
            }
            int n = (int) Math.min(len, maxBytes - size);
            out.write(bytes, off, n);
            size += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The name of the {@code n}th rolled file of {@code file} (1 is the newest). */
    static Path rolled(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    private void roll() throws IOException {
        out.close();
        if (maxRolledFiles > 0) {
            Files.deleteIfExists(rolled(file, maxRolledFiles));
            for (int i = maxRolledFiles - 1; i >= 1; i--) {
                Path from = rolled(file, i);
                if (Files.exists(from)) {
                    Files.move(from, rolled(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, rolled(file, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        out = open();
    }

    private OutputStream open() throws IOException {
        size = 0;
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * Starts a daemon thread named {@code threadName} that copies {@code in} into {@code log} until
     * end of stream, then closes both.
     *
     * @return completes when the thread is done, normally even when writing failed (what could
     *     not be written is read and dropped, so the task never blocks on a full pipe)
     */
    static CompletableFuture<Void> pump(InputStream in, RotatingLog log, String threadName) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[BUFFER_BYTES];
            boolean writing = true;
            try (in; log) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (writing && n > 0) {
                        try {
                            log.write(buf, 0, n);
                        } catch (IOException e) {
                            writing = false;
                            LOG.warn("cannot write task output to {}; dropping the rest: {}", log.file, e.toString());
                        }
                    }
                }
            } catch (IOException e) {
                LOG.debug("task output pipe for {} ended: {}", log.file, e.toString());
            } finally {
                done.complete(null);
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        return done;
    }
}
