package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogTest {
    @TempDir
    Path dir;

    @Test
    void rollsOverAtTheLimitAndKeepsTheNewestFiles() throws Exception {
        Path file = dir.resolve("stdout");
        byte[] bytes = new byte[10 * 100];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('0' + i / 100);
        }
        RotatingLog.pump(new ByteArrayInputStream(bytes), new RotatingLog(file, 100, 3), "test-pump").get(10, TimeUnit.SECONDS);
        assertEquals("9".repeat(100), Files.readString(file));
        assertEquals("8".repeat(100), Files.readString(RotatingLog.rolled(file, 1)));
        assertEquals("6".repeat(100), Files.readString(RotatingLog.rolled(file, 3)));
        assertFalse(Files.exists(RotatingLog.rolled(file, 4)));
    }

    @Test
    void noRolledFilesMeansTheFileStartsOver() throws Exception {
        Path file = dir.resolve("stderr");
        try (RotatingLog log = new RotatingLog(file, 4, 0)) {
            byte[] b = "abcdefghij".getBytes(StandardCharsets.UTF_8);
            log.write(b, 0, b.length);
        }
        assertEquals("ij", Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aRealTaskPrintingMoreThanTheLimitRotatesAndItsTailIsTheNewestOutput() throws Exception {
        BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
        ManualClock clock = new ManualClock(0);
        Tasks tasks = new Tasks("agent-1", new StatusFactory("agent-1", clock), new ProcessLauncher(dir, "agent-1", 4096, 2),
                clock, 2, exits::add);
        // 2,000 numbered lines of 7 bytes: 14,000 bytes, over three times the limit.
        tasks.launch("fw", TasksTest.task("t1", "sh", "-c", "i=0; while [ $i -lt 2000 ]; do printf 'l%05d\\n' $i; i=$((i+1)); done; echo done >&2"));
        Tasks.Exit exit = exits.poll(30, TimeUnit.SECONDS);
        assertNotNull(exit, "the task did not end");
        TaskStatus end = tasks.exited(exit);
        assertEquals(TaskState.FINISHED, end.getState());
        Path sandbox = dir.resolve("fw").resolve("t1");
        String current = Files.readString(sandbox.resolve("stdout"));
        assertTrue(current.endsWith("l01999\n"), current.substring(Math.max(0, current.length() - 20)));
        assertTrue(end.getStdoutTail().endsWith("l01999\n"));
        assertEquals("done\n", end.getStderrTail());
        try (Stream<Path> files = Files.list(sandbox)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("stderr", "stdout", "stdout.1", "stdout.2"), names);
        }
        assertEquals(4096, Files.size(sandbox.resolve("stdout.1")));
        // The files are contiguous: together they are the end of the output, byte for byte.
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            all.append(String.format("l%05d%n", i));
        }
        String kept = Files.readString(sandbox.resolve("stdout.2")) + Files.readString(sandbox.resolve("stdout.1")) + current;
        assertEquals(14_000 % 4096, current.length());
        assertTrue(all.toString().endsWith(kept));
    }

    @Test
    void aKilledProcessTreeClosesThePumps() throws Exception {
        BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
        ManualClock clock = new ManualClock(0);
        Tasks tasks = new Tasks("agent-1", new StatusFactory("agent-1", clock), new ProcessLauncher(dir, "agent-1", 4096, 2),
                clock, 2, exits::add);
        // A child that shares the pipes and would outlive its parent's SIGTERM-free exit.
        tasks.launch("fw", TasksTest.task("t2", "sh", "-c", "echo started; sleep 600 & wait"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> Files.readString(dir.resolve("fw/t2/stdout")).equals("started\n"));
        assertEquals(Tasks.KillOutcome.KILLING, tasks.kill("fw", "t2", 0));
        tasks.escalateDue(clock.millis());
        Tasks.Exit exit = exits.poll(30, TimeUnit.SECONDS);
        assertNotNull(exit, "the killed task was not reported");
        TaskStatus end = tasks.exited(exit);
        assertEquals(TaskState.KILLED, end.getState());
        assertEquals("started\n", end.getStdoutTail());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("drover-task-fw/t2-")));
    }
}
