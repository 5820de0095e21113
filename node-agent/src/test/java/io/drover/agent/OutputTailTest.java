package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputTailTest {
    @TempDir
    Path dir;

    @Test
    void keepsTheLastBytesAndDropsACutCharacter() throws Exception {
        Path file = dir.resolve("out");
        Files.writeString(file, "abc");
        assertEquals("abc", OutputTail.read(file, 16));
        assertEquals("bc", OutputTail.read(file, 2));
        // "é" is two bytes; cutting through it drops its second half instead of showing garbage.
        Files.write(file, "xé12".getBytes(StandardCharsets.UTF_8));
        assertEquals("12", OutputTail.read(file, 3));
        assertEquals("é12", OutputTail.read(file, 4));
        assertEquals("", OutputTail.read(dir.resolve("missing"), 16));
    }

    @Test
    void boundsTheTailAt16KiB() throws Exception {
        Path file = dir.resolve("big");
        Files.writeString(file, "a".repeat(100_000) + "END");
        String tail = OutputTail.read(file, OutputTail.MAX_BYTES);
        assertEquals(16 * 1024, tail.length());
        assertEquals("END", tail.substring(tail.length() - 3));
    }

    @Test
    void statusBatchesKeepOrderAndStayUnderTheBound() {
        StatusFactory f = new StatusFactory("a", Clock.systemUTC());
        List<TaskStatus> updates = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            updates.add(f.builder("fw", "t" + i, TaskState.FINISHED, TaskStatusReason.COMMAND_EXITED, "")
                    .setStdoutTail("x".repeat(16 * 1024)).build());
        }
        List<List<TaskStatus>> batches = StatusBatches.split(updates, 100 * 1024);
        assertEquals(5, batches.size());
        assertEquals(updates, batches.stream().flatMap(List::stream).toList());
        assertEquals(List.of(List.of(updates.get(0))), StatusBatches.split(updates.subList(0, 1), 10));
    }
}
