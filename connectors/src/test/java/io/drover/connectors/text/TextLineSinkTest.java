package io.drover.connectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import io.drover.connectors.file.FileSinkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextLineSinkTest {

    @TempDir
    Path dir;

    private Path output() {
        return dir.resolve("out");
    }

    private TextLineSink sink() {
        return new TextLineSink(FileSinkConfig.of(output()));
    }

    private static void writeTask(JobCommitter<String> job, String taskId, int attempt, String... lines)
            throws IOException {
        try (Writer<String> writer = job.openWriter(taskId, attempt)) {
            for (String line : lines) {
                writer.write(line);
            }
        }
    }

    /** Every file under the output, relative to it, sorted. */
    private List<String> tree() throws IOException {
        if (!Files.exists(output())) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(output())) {
            return walk.filter(Files::isRegularFile).map(p -> output().relativize(p).toString()).sorted().toList();
        }
    }

    private List<String> readOutput() throws IOException {
        TextLineSource source = new TextLineSource(TextSourceConfig.of(output().toString()));
        return TextLineSourceTest.readAll(source, source.splits(4));
    }

    @Test
    void committedTasksBecomePartFilesInTaskOrderWithSuccess() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        writeTask(job, "10", 0, "ten");
        writeTask(job, "2", 0, "two", "zwei");
        writeTask(job, "0", 0);
        assertTrue(job.commitTask("10", 0));
        assertTrue(job.commitTask("2", 0));
        assertTrue(job.commitTask("0", 0));
        assertEquals(List.of(), tree().stream().filter(p -> !p.startsWith("_temporary")).toList(),
                "nothing visible before commitJob");
        job.commitJob();
        assertEquals(List.of("_SUCCESS", "part-00000", "part-00001", "part-00002"), tree());
        assertEquals("two\nzwei\n", Files.readString(output().resolve("part-00001")));
        assertEquals(List.of("two", "zwei", "ten"), readOutput());
    }

    @Test
    void aTaskThatFailsHalfwayLeavesNothingVisible() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        Writer<String> failing = job.openWriter("0", 0);
        failing.write("half");
        // The task dies here: its writer is never closed nor committed.
        writeTask(job, "1", 0, "whole");
        assertTrue(job.commitTask("1", 0));
        job.commitJob();
        failing.close();
        assertEquals(List.of("_SUCCESS", "part-00000"), tree());
        assertEquals(List.of("whole"), readOutput());
    }

    @Test
    void anAbortedAttemptLeavesNothingAndItsRetryCommits() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        writeTask(job, "0", 0, "bad");
        job.abortTask("0", 0);
        job.abortTask("0", 0);
        writeTask(job, "0", 1, "good");
        assertTrue(job.commitTask("0", 1));
        job.commitJob();
        assertEquals(List.of("good"), readOutput());
        assertEquals(List.of("_SUCCESS", "part-00000"), tree());
    }

    @Test
    void twoAttemptsOfOneTaskShowOnce() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        writeTask(job, "0", 0, "first attempt");
        writeTask(job, "0", 1, "second attempt");
        assertTrue(job.commitTask("0", 1));
        assertFalse(job.commitTask("0", 0));
        job.abortTask("0", 1);
        job.commitJob();
        assertEquals(List.of("second attempt"), readOutput());
        assertEquals(List.of("_SUCCESS", "part-00000"), tree());
    }

    @Test
    void abortJobLeavesNothing() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        writeTask(job, "0", 0, "a");
        writeTask(job, "1", 0, "b");
        assertTrue(job.commitTask("0", 0));
        job.abortJob();
        job.abortJob();
        assertEquals(List.of(), tree());
        assertFalse(Files.exists(output().resolve("_temporary")));
        assertThrows(IllegalStateException.class, () -> job.openWriter("2", 0));
        assertThrows(IllegalStateException.class, job::commitJob);
    }

    @Test
    void anOutputWithDataIsRefusedUnlessOverwriting() throws IOException {
        JobCommitter<String> first = sink().beginJob("job-1");
        writeTask(first, "0", 0, "old");
        first.commitTask("0", 0);
        first.commitJob();

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> sink().beginJob("job-2"));
        assertTrue(refused.getMessage().contains("_SUCCESS") && refused.getMessage().contains("overwrite"),
                refused.getMessage());

        TextLineSink overwriting = new TextLineSink(FileSinkConfig.of(output()).withOverwrite(true));
        JobCommitter<String> aborted = overwriting.beginJob("job-2");
        writeTask(aborted, "0", 0, "never");
        aborted.commitTask("0", 0);
        aborted.abortJob();
        assertEquals(List.of("old"), readOutput(), "an aborted overwrite keeps the old output");

        JobCommitter<String> second = overwriting.beginJob("job-3");
        writeTask(second, "0", 0, "new");
        second.commitTask("0", 0);
        second.commitJob();
        assertEquals(List.of("new"), readOutput());
        assertEquals(List.of("_SUCCESS", "part-00000"), tree());
    }

    @Test
    void anOutputThatGainsDataDuringTheJobIsRefusedAtCommit() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        writeTask(job, "0", 0, "mine");
        job.commitTask("0", 0);
        Files.writeString(output().resolve("stranger"), "x");
        assertThrows(IllegalStateException.class, job::commitJob);
    }

    @Test
    void attemptsAndIdsAreChecked() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        assertThrows(IllegalStateException.class, () -> sink().beginJob("job-1"));
        assertThrows(IllegalArgumentException.class, () -> sink().beginJob("../escape"));
        assertThrows(IllegalArgumentException.class, () -> job.openWriter("a/b", 0));
        writeTask(job, "0", 0, "x");
        assertThrows(IllegalStateException.class, () -> job.openWriter("0", 0));
        assertThrows(IllegalStateException.class, () -> job.commitTask("1", 0));
        try (Writer<String> writer = job.openWriter("1", 0)) {
            assertThrows(IllegalArgumentException.class, () -> writer.write("two\nlines"));
        }
    }

    @Test
    void byteSlicesAndNonAsciiRoundTrip() throws IOException {
        JobCommitter<String> job = sink().beginJob("job-1");
        try (TextLineWriter writer = (TextLineWriter) job.openWriter("0", 0)) {
            writer.write("Grüße 😀");
            byte[] bytes = "xx€yy".getBytes(StandardCharsets.UTF_8);
            writer.writeLine(bytes, 2, 3);
        }
        job.commitTask("0", 0);
        job.commitJob();
        assertEquals(List.of("Grüße 😀", "€"), readOutput());
    }
}
