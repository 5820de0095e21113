package io.drover.agent;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the sandboxes of finished tasks: those older than the maximum age (by their last
 * change: the newest modification time of the directory and the files directly in it), and, while
 * the work dir's file system has less free space than the minimum share, the oldest ones first
 * whatever their age. A sandbox in use by a running task is never touched. The agent runs a
 * second one over the map outputs executors leave ({@code shuffle/<framework>/<run>}), same shape
 * and rules.
 *
 * <p>One {@link #scan} deletes at most {@value #MAX_DELETES_PER_SCAN} sandboxes, so the loop
 * thread that calls it is never held long; the next scan goes on. Not thread-safe.
 */
final class SandboxGc {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxGc.class);
    /** Most sandboxes one scan deletes. */
    static final int MAX_DELETES_PER_SCAN = 16;
    /** Most entries of one sandbox looked at for its last change. */
    private static final int MAX_ENTRIES_STATTED = 64;

    /** A sandbox of a finished task and its last change, in ms since the epoch. */
    record Sandbox(Path dir, long lastModifiedMs) {}

    private final Path root;
    private final Clock clock;
    private final long maxAgeMs;
    private final int minFreeDiskPercent;
    private final DoubleSupplier freeDiskPercent;

    /**
     * @param freeDiskPercent the share of the file system that is free now, in [0, 100]; asked
     *     again after each deletion made for space
     */
    SandboxGc(Path sandboxesRoot, Clock clock, long maxAgeMs, int minFreeDiskPercent, DoubleSupplier freeDiskPercent) {
        this.root = sandboxesRoot;
        this.clock = clock;
        this.maxAgeMs = maxAgeMs;
        this.minFreeDiskPercent = minFreeDiskPercent;
        this.freeDiskPercent = freeDiskPercent;
    }

    /** The free share of {@code dir}'s file system in percent; 100 when it cannot be measured. */
    static double freeDiskPercent(Path dir) {
        try {
            var store = Files.getFileStore(dir);
            long total = store.getTotalSpace();
            return total <= 0 ? 100 : store.getUsableSpace() * 100.0 / total;
        } catch (IOException e) {
            return 100;
        }
    }

    /**
     * Deletes what is due, at most {@value #MAX_DELETES_PER_SCAN} sandboxes.
     *
     * @param inUse the sandboxes of running tasks
     * @return the sandboxes deleted, in order
     */
    List<Path> scan(Set<Path> inUse) {
        List<Sandbox> finished = finished(inUse);
        List<Path> deleted = new ArrayList<>();
        long now = clock.millis();
        for (Sandbox s : finished) {
            if (deleted.size() >= MAX_DELETES_PER_SCAN) {
                break;
            }
            boolean expired = now - s.lastModifiedMs() >= maxAgeMs;
            if (!expired && freeDiskPercent.getAsDouble() >= minFreeDiskPercent) {
                // Oldest first: if this one is not due, no later one is.
                break;
            }
            if (delete(s.dir())) {
                deleted.add(s.dir());
                LOG.info("deleted sandbox {} ({})", s.dir(), expired ? "older than " + maxAgeMs + " ms" : "disk below " + minFreeDiskPercent + "% free");
            }
        }
        return deleted;
    }

    /** The sandboxes not in use, oldest first. */
    List<Sandbox> finished(Set<Path> inUse) {
        List<Sandbox> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            // Nothing made yet (the shuffle root exists only once an executor wrote map outputs).
            return found;
        }
        try (DirectoryStream<Path> frameworks = Files.newDirectoryStream(root)) {
            for (Path fw : frameworks) {
                if (!Files.isDirectory(fw, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> sandboxes = Files.newDirectoryStream(fw)) {
                    for (Path sandbox : sandboxes) {
                        if (!inUse.contains(sandbox) && Files.isDirectory(sandbox, LinkOption.NOFOLLOW_LINKS)) {
                            found.add(new Sandbox(sandbox, lastModifiedMs(sandbox)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list sandboxes under {}: {}", root, e.toString());
        }
        found.sort(Comparator.comparingLong(Sandbox::lastModifiedMs).thenComparing(Sandbox::dir));
        return found;
    }

    private static long lastModifiedMs(Path sandbox) {
        long newest = 0;
        try {
            newest = Files.getLastModifiedTime(sandbox, LinkOption.NOFOLLOW_LINKS).toMillis();
            int seen = 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(sandbox)) {
                for (Path e : entries) {
                    if (++seen > MAX_ENTRIES_STATTED) {
                        break;
                    }
                    newest = Math.max(newest, Files.getLastModifiedTime(e, LinkOption.NOFOLLOW_LINKS).toMillis());
                }
            }
        } catch (IOException e) {
            // what could be read stands
        }
        return newest;
    }

    /** Deletes the tree without following links, then its framework directory if now empty. */
    private static boolean delete(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete sandbox {}: {}", dir, e.toString());
            return false;
        }
        try {
            Files.delete(dir.getParent());
        } catch (DirectoryNotEmptyException e) {
            // other sandboxes of the framework remain
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", dir.getParent(), e.toString());
        }
        return true;
    }
}
