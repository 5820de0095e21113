package io.drover.connectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Writer;
import io.drover.connectors.file.FileSinkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job begun by one sink instance (the job service) and written by tasks through other instances
 * (executors, each with its own sink from the shipped plan): attached tasks commit into the job,
 * the first commit of a task wins across instances, and only the beginner publishes.
 */
class AttachJobTest {

    @TempDir
    Path dir;

    @Test
    void tasksOfAnAttachedJobAreCommittedByTheBeginner() throws Exception {
        Path out = dir.resolve("out");
        JobCommitter<String> job = new TextLineSink(FileSinkConfig.of(out)).beginJob("job-1");
        JobCommitter<String> executorA = new TextLineSink(FileSinkConfig.of(out)).attachJob("job-1");
        JobCommitter<String> executorB = new TextLineSink(FileSinkConfig.of(out)).attachJob("job-1");
        write(executorA, "0", 0, "a");
        write(executorB, "1", 0, "b");
        write(executorB, "0", 1, "duplicate");
        assertTrue(executorA.commitTask("0", 0));
        assertTrue(executorB.commitTask("1", 0));
        assertFalse(executorB.commitTask("0", 1), "a second attempt of task 0 from another process loses");
        assertFalse(Files.exists(out.resolve("part-00000")), "nothing is visible before the job commits");
        job.commitJob();
        assertEquals(List.of("a"), Files.readAllLines(out.resolve("part-00000")));
        assertEquals(List.of("b"), Files.readAllLines(out.resolve("part-00001")));
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
    }

    @Test
    void attachingAJobThatNeverBeganOrEndedIsRefused() throws Exception {
        Path out = dir.resolve("out");
        IllegalStateException never = assertThrows(IllegalStateException.class,
                () -> new TextLineSink(FileSinkConfig.of(out)).attachJob("job-2"));
        assertTrue(never.getMessage().contains("not in progress"), never.getMessage());
        JobCommitter<String> job = new TextLineSink(FileSinkConfig.of(out)).beginJob("job-2");
        job.abortJob();
        assertThrows(IllegalStateException.class, () -> new TextLineSink(FileSinkConfig.of(out)).attachJob("job-2"));
        assertThrows(IllegalArgumentException.class, () -> new TextLineSink(FileSinkConfig.of(out)).attachJob("../x"));
    }

    private static void write(JobCommitter<String> committer, String task, int attempt, String line) throws Exception {
        Writer<String> w = committer.openWriter(task, attempt);
        w.write(line);
        w.close();
    }
}
