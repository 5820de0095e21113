package io.drover.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Size-based rotation of a task's output file, by copy-truncate: the task's process writes the
 * file itself (opened for append, so it survives the agent), and the agent, at each check, rolls
 * a file that has passed {@code maxBytes} over: {@code name.<maxRolledFiles>} is dropped, each
 * older {@code name.i} becomes {@code name.(i+1)}, the file's bytes are copied to {@code name.1},
 * and the file is truncated to zero; the process's next write (append mode) lands at its start.
 *
 * <p>So one stream takes at most about {@code maxBytes * (maxRolledFiles + 1)} bytes of disk,
 * give or take what the task writes between two checks. Bytes the task writes between the copy
 * and the truncation are lost: a window of one file copy (milliseconds for the default 10 MiB),
 * only while a task writes at that very moment. That is the price of not piping output through
 * the agent, which a task would then not survive.
 */
final class RotatingLog {
    /** The name of the {@code n}th rolled file of {@code file} (1 is the newest). */
    static Path rolled(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /**
     * Rolls {@code file} over when it holds more than {@code maxBytes} bytes.
     *
     * @param maxBytes the size past which the file is rolled over, at least 1
     * @param maxRolledFiles rolled files kept beside the current one, at least 0 (0: the file is
     *     just truncated)
     * @return whether it rolled the file over; false when the file is missing or not over the limit
     */
    static boolean rotateIfOver(Path file, long maxBytes, int maxRolledFiles) throws IOException {
        if (maxBytes < 1 || maxRolledFiles < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 1 and maxRolledFiles >= 0, were " + maxBytes + " and " + maxRolledFiles);
        }
        if (!Files.isRegularFile(file) || Files.size(file) <= maxBytes) {
            return false;
        }
        if (maxRolledFiles > 0) {
            Files.deleteIfExists(rolled(file, maxRolledFiles));
            for (int i = maxRolledFiles - 1; i >= 1; i--) {
                Path from = rolled(file, i);
                if (Files.exists(from)) {
                    Files.move(from, rolled(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".rolling");
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, rolled(file, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        return true;
    }

    private RotatingLog() {}
}
