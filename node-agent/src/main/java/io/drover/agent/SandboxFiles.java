package io.drover.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds and reads task output files for the agent's HTTP server. Only {@code stdout} and
 * {@code stderr} of a sandbox directly under {@code <root>/<frameworkId>/} can be named; ids are
 * checked against the id alphabet before they touch the file system, and a sandbox or file that
 * is a symbolic link is refused, so no request reads outside the sandboxes.
 *
 * <p>Thread-safe (it holds no state but the root).
 */
final class SandboxFiles {
    /** Most bytes one read returns. */
    static final int MAX_LENGTH = 1024 * 1024;
    static final Set<String> FILES = Set.of(ProcessLauncher.STDOUT, ProcessLauncher.STDERR);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern RUN = Pattern.compile("[A-Za-z0-9._-]{1,200}" + ProcessLauncher.RUN_SEPARATOR + "[0-9]{1,9}");

    /**
     * Part of a file.
     *
     * @param offset where the bytes start
     * @param length how many bytes were read
     * @param data those bytes as UTF-8 (malformed sequences replaced)
     * @param size the file's size when read
     */
    record Chunk(long offset, int length, String data, long size) {}

    private final Path root;

    SandboxFiles(Path sandboxesRoot) {
        this.root = sandboxesRoot;
    }

    /**
     * The named output file of a task's sandbox: the latest run's ({@code task~N} with the highest
     * N) when {@code taskId} is a task id, that run's when it names one ({@code task~2}; the
     * first run, whose directory is plain {@code task}, is {@code task~1}).
     *
     * @return empty when the ids or the file name are not valid, or no such file exists
     */
    Optional<Path> find(String frameworkId, String taskId, String file) {
        if (!FILES.contains(file) || !validId(frameworkId) || !(validId(taskId) || RUN.matcher(taskId).matches())) {
            return Optional.empty();
        }
        Path parent = root.resolve(frameworkId);
        String firstRun = ProcessLauncher.RUN_SEPARATOR + "1";
        Path sandbox = taskId.endsWith(firstRun) ? parent.resolve(taskId.substring(0, taskId.length() - firstRun.length()))
                : taskId.indexOf(ProcessLauncher.RUN_SEPARATOR) >= 0 ? parent.resolve(taskId) : latestRun(parent, taskId);
        if (sandbox == null || !Files.isDirectory(sandbox, LinkOption.NOFOLLOW_LINKS)
                || !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Path path = sandbox.resolve(file);
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) ? Optional.of(path) : Optional.empty();
    }

    /**
     * Reads up to {@code length} bytes (at most {@link #MAX_LENGTH}) from {@code offset}; an offset
     * at or past the end reads nothing (the file may have rolled over and started again).
     *
     * @throws NoSuchFileException when the file is gone
     */
    static Chunk read(Path file, long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be >= 0, were " + offset + " and " + length);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            int n = (int) Math.max(0, Math.min(Math.min(length, MAX_LENGTH), size - offset));
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    break;
                }
            }
            return new Chunk(offset, buf.position(), new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8), size);
        }
    }

    /** The size of the file, for a tail request. */
    static long size(Path file) throws IOException {
        return Files.size(file);
    }

    private static boolean validId(String id) {
        return id != null && ID.matcher(id).matches() && !id.equals(".") && !id.equals("..");
    }

    private static Path latestRun(Path parent, String taskId) {
        Path best = null;
        int bestRun = 0;
        Path first = parent.resolve(taskId);
        if (Files.isDirectory(first, LinkOption.NOFOLLOW_LINKS)) {
            best = first;
            bestRun = 1;
        }
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return best;
        }
        String prefix = taskId + ProcessLauncher.RUN_SEPARATOR;
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(parent, prefix.replace("[", "\\[") + "*")) {
            for (Path p : runs) {
                String suffix = p.getFileName().toString().substring(prefix.length());
                if (suffix.matches("[0-9]{1,9}") && Integer.parseInt(suffix) > bestRun) {
                    bestRun = Integer.parseInt(suffix);
                    best = p;
                }
            }
        } catch (IOException e) {
            return best;
        }
        return best;
    }
}
