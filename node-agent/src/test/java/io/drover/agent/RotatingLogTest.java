package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    void rollsOverPastTheLimitAndKeepsTheNewestFiles() throws Exception {
        Path file = dir.resolve("stdout");
        for (int i = 0; i < 10; i++) {
            Files.writeString(file, String.valueOf(i).repeat(101), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            assertTrue(RotatingLog.rotateIfOver(file, 100, 3), "rolled at " + i);
            assertFalse(RotatingLog.rotateIfOver(file, 100, 3), "an empty file is not rolled");
        }
        Files.writeString(file, "x".repeat(100), StandardOpenOption.APPEND);
        assertFalse(RotatingLog.rotateIfOver(file, 100, 3), "at the limit, not past it");
        assertEquals("x".repeat(100), Files.readString(file));
        assertEquals("9".repeat(101), Files.readString(RotatingLog.rolled(file, 1)));
        assertEquals("7".repeat(101), Files.readString(RotatingLog.rolled(file, 3)));
        assertFalse(Files.exists(RotatingLog.rolled(file, 4)));
        assertFalse(RotatingLog.rotateIfOver(dir.resolve("missing"), 100, 3));
    }

    @Test
    void noRolledFilesMeansTheFileStartsOver() throws Exception {
        Path file = dir.resolve("stderr");
        Files.writeString(file, "abcdefghij");
        assertTrue(RotatingLog.rotateIfOver(file, 4, 0));
        assertEquals("", Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aWriterInAppendModeGoesOnAtTheStartOfTheTruncatedFile() throws Exception {
        Path file = dir.resolve("stdout");
        try (var out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write("0123456789".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertTrue(RotatingLog.rotateIfOver(file, 5, 1));
            out.write("ab".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("ab", Files.readString(file), "no hole of zero bytes before the new output");
        assertEquals("0123456789", Files.readString(RotatingLog.rolled(file, 1)));
    }

    @Test
    void aRealTaskPrintingMoreThanTheLimitRotatesAndItsTailIsTheNewestOutput() throws Exception {
        BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
        ManualClock clock = new ManualClock(0);
        Tasks tasks = new Tasks("agent-1", new StatusFactory("agent-1", clock), new ProcessLauncher(dir, "agent-1", 4096, 2),
                clock, 2, exits::add);
        // Three chunks of 1,000 numbered lines of 7 bytes (7,000 bytes, over the limit each); the
        // task waits for a file before each next chunk, so the test rolls the files in between.
        String chunk = "i=$1; e=$(($1+1000)); while [ $i -lt $e ]; do printf 'l%05d\\n' $i; i=$((i+1)); done";
        tasks.launch("fw", TasksTest.task("t1", "sh", "-c", "p() { " + chunk + "; }; "
                + "p 0; while [ ! -e go1 ]; do sleep 0.05; done; p 1000; while [ ! -e go2 ]; do sleep 0.05; done; p 2000; echo done >&2"));
        Path sandbox = dir.resolve("fw").resolve("t1");
        for (int round = 1; round <= 2; round++) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> Files.exists(sandbox.resolve("stdout")) && Files.size(sandbox.resolve("stdout")) == 7_000);
            tasks.rotateLogs();
            assertEquals(0, Files.size(sandbox.resolve("stdout")), "rolled over in round " + round);
            Files.createFile(sandbox.resolve("go" + round));
        }
        Tasks.Exit exit = exits.poll(30, TimeUnit.SECONDS);
        assertNotNull(exit, "the task did not end");
        TaskStatus end = tasks.exited(exit);
        assertEquals(TaskState.FINISHED, end.getState());
        String current = Files.readString(sandbox.resolve("stdout"));
        assertTrue(current.endsWith("l02999\n"), current.substring(Math.max(0, current.length() - 20)));
        assertTrue(end.getStdoutTail().endsWith("l02999\n"));
        assertEquals("done\n", end.getStderrTail());
        try (Stream<Path> files = Files.list(sandbox)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !n.startsWith("go")).sorted().toList();
            assertEquals(List.of("stderr", "stdout", "stdout.1", "stdout.2"), names);
        }
        assertEquals(7_000, Files.size(sandbox.resolve("stdout.1")));
        // The files are contiguous: together they are the whole output, byte for byte.
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            all.append(String.format("l%05d%n", i));
        }
        String kept = Files.readString(sandbox.resolve("stdout.2")) + Files.readString(sandbox.resolve("stdout.1")) + current;
        assertEquals(all.toString(), kept);
    }

    @Test
    void aKilledProcessTreeEndsWithItsOutputAndLeavesNoProcess() throws Exception {
        BlockingQueue<Tasks.Exit> exits = new LinkedBlockingQueue<>();
        ManualClock clock = new ManualClock(0);
        Tasks tasks = new Tasks("agent-1", new StatusFactory("agent-1", clock), new ProcessLauncher(dir, "agent-1", 4096, 2),
                clock, 2, exits::add);
        // A child that shares the output files and would outlive its parent's SIGTERM-free exit.
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
        List<ProcessHandle> tree = new java.util.ArrayList<>(List.of(exit.task().process));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> ProcessHandle.allProcesses().noneMatch(this::isInSandbox));
        assertFalse(tree.get(0).isAlive());
    }

    /** A process whose working directory is this test's t2 sandbox (read from /proc). */
    private boolean isInSandbox(ProcessHandle p) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", String.valueOf(p.pid()), "cwd")).equals(dir.resolve("fw/t2").toRealPath());
        } catch (Exception e) {
            return false;
        }
    }
}
