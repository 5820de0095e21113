package io.drover.job.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.JobSubmission;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting and resuming runs of a built-in job, without a cluster. */
class JobLauncherTest {
    @TempDir
    Path dir;
    private ArtifactServer artifacts;
    private JobLauncher launcher;
    private JobSubmission wordcount;

    @BeforeEach
    void setUp() throws Exception {
        Path input = dir.resolve("in.txt");
        Files.writeString(input, "a b a\n", StandardCharsets.UTF_8);
        artifacts = new ArtifactServer("127.0.0.1:0");
        launcher = new JobLauncher(JobServiceConfig.defaults("localhost:9092", dir.resolve("state")), artifacts);
        wordcount = JobSubmission.newBuilder().setBuiltin("wordcount").setInputs(List.of(input.toString()))
                .setOutput(dir.resolve("out").toString()).build();
    }

    @AfterEach
    void tearDown() {
        artifacts.close();
    }

    @Test
    void aRunThatCommittedBeforeTheServiceStoppedIsNotRunAgain() throws Exception {
        JobRun first = launcher.launch(new JobLauncher.Queued("wc-1", "wordcount", wordcount, 0, 0), 0, 2);
        assertEquals("wc-1", first.runId);

        // Stopped before the commit: the run resumes under its id, its output not yet there.
        JobLauncher.Resume resume = new JobLauncher.Resume("wc-1", Map.of());
        JobRun resumed = launcher.launch(new JobLauncher.Queued("wc-1", "wordcount", wordcount, 1, 0, resume), 0, 2);
        assertTrue(resumed.resumed);
        assertEquals("wc-1", resumed.runId);

        // Stopped after the commit and before the job's end was recorded: it succeeded, nothing reruns.
        resumed.committer.commitJob();
        JobLauncher.AlreadyCommitted done = assertThrows(JobLauncher.AlreadyCommitted.class,
                () -> launcher.launch(new JobLauncher.Queued("wc-1", "wordcount", wordcount, 2, 0, resume), 0, 2));
        assertEquals("wc-1", done.runId);
        assertEquals(dir.resolve("out").toString(), done.output);
        assertEquals(List.of("_SUCCESS"), List.of(dir.resolve("out").toFile().list()), "the staging of the run is gone");
    }
}
