package io.drover.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.TaskStatus;
import io.drover.executor.ChronicleFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal writer killed with SIGKILL in the middle of appending (a real process, so the kill
 * lands wherever it lands, often inside an append): the next open neither hangs nor loses an
 * update that was appended before, nor brings back one whose acknowledgement was appended.
 */
class StatusJournalKillTest {
    @TempDir
    Path dir;
    private Process writer;

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.destroyForcibly();
        }
    }

    @Test
    void aWriterKilledMidAppendLeavesAJournalThatOpensAndReplaysAConsistentPrefix() throws Exception {
        Path journalDir = dir.resolve("journal");
        Path out = dir.resolve("writer.out");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        cmd.addAll(ChronicleFlags.JVM_ARGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JournalWriterMain.class.getName(), journalDir.toString()));
        writer = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("appended 20000"));
        writer.destroyForcibly().waitFor();

        StatusJournal.Replay replay = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (StatusJournal journal = StatusJournal.open(journalDir, 1_000_000, 0)) {
                return journal.replay();
            }
        });
        List<TaskStatus> live = replay.unacknowledged();
        assertTrue(live.size() > 10_000, "updates appended before the kill are back: " + live.size());
        // The odd tasks, never acknowledged, all of them in order up to where the writer died;
        // at most the very last (even) one may lack its acknowledgement.
        for (int i = 0; i < live.size() - 1; i++) {
            assertEquals("t" + (2 * i + 1), live.get(i).getTaskId(), "entry " + i);
        }
        String last = live.get(live.size() - 1).getTaskId();
        long lastIndex = Long.parseLong(last.substring(1));
        assertTrue(lastIndex == 2L * (live.size() - 1) + 1 || lastIndex == 2L * (live.size() - 1), last);
        assertEquals(0, replay.skipped(), "an entry cut by the kill is never read half-written");

        // The journal goes on: a second open sees the same, compacted.
        try (StatusJournal journal = StatusJournal.open(journalDir, 1_000_000, 0)) {
            assertEquals(live, journal.replay().unacknowledged());
        }
    }
}
