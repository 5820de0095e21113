package io.drover.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads the end of a task's output file for its terminal status update. */
final class OutputTail {
    /** The most bytes of each of stdout and stderr a terminal update carries. */
    static final int MAX_BYTES = 16 * 1024;

    /**
     * The last {@code maxBytes} bytes of the file as UTF-8 (invalid sequences replaced, a
     * character cut at the start dropped); "" when the file is missing or unreadable.
     */
    static String read(Path file, int maxBytes) {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int n = (int) Math.min(size, maxBytes);
            ByteBuffer buf = ByteBuffer.allocate(n);
            long pos = size - n;
            while (buf.hasRemaining()) {
                int read = ch.read(buf, pos + buf.position());
                if (read < 0) {
                    break;
                }
            }
            byte[] bytes = buf.array();
            int len = buf.position();
            int start = 0;
            // When the cut falls inside a multi-byte character, drop its continuation bytes
            // rather than show a replacement character.
            while (pos > 0 && start < Math.min(3, len) && (bytes[start] & 0xC0) == 0x80) {
                start++;
            }
            return new String(bytes, start, len - start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private OutputTail() {}
}
