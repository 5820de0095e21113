package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusJournalTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final StatusFactory statuses = new StatusFactory("agent-1", clock);

    @TempDir
    Path dir;

    private TaskStatus update(String taskId, TaskState state) {
        return statuses.status("fw", taskId, state, TaskStatusReason.NONE, "message of " + taskId);
    }

    private StatusJournal open() {
        return StatusJournal.open(dir, 1_000, clock.millis());
    }

    @Test
    void replayGivesBackTheUnacknowledgedUpdatesInTheirOrder() throws Exception {
        TaskStatus r1 = update("t1", TaskState.RUNNING);
        TaskStatus f1 = update("t1", TaskState.FINISHED);
        TaskStatus r2 = update("t2", TaskState.RUNNING);
        TaskStatus f2 = update("t2", TaskState.FAILED);
        try (StatusJournal journal = open()) {
            assertEquals(List.of(), journal.replay().unacknowledged());
            journal.appendUpdate(r1);
            journal.appendUpdate(r2);
            journal.appendUpdate(f1);
            journal.appendAck("fw", "t1", r1.getUpdateId());
            journal.appendUpdate(f2);
            journal.appendAck("fw", "t9", "no-such-update");
        }
        try (StatusJournal journal = open()) {
            assertEquals(List.of(r2, f1, f2), journal.replay().unacknowledged());
            assertEquals(6, journal.replay().entries());
            assertEquals(0, journal.replay().skipped());
            // Compacted at open: the new generation holds just the live ones.
            assertEquals(3, journal.entries());
            journal.appendAck("fw", "t2", r2.getUpdateId());
            journal.appendAck("fw", "t2", f2.getUpdateId());
        }
        try (StatusJournal journal = open()) {
            assertEquals(List.of(f1), journal.replay().unacknowledged());
            assertEquals(List.of(journalGeneration(journal)), generations(), "old generations are deleted");
        }
    }

    @Test
    void replayedUpdatesAreResentPerTaskInOrderWithTheBoundedBackoff() {
        TaskStatus r1 = update("t1", TaskState.RUNNING);
        TaskStatus f1 = update("t1", TaskState.FINISHED);
        TaskStatus r2 = update("t2", TaskState.RUNNING);
        try (StatusJournal journal = open()) {
            journal.appendUpdate(r1);
            journal.appendUpdate(f1);
            journal.appendUpdate(r2);
        }
        clock.advanceMs(60_000);
        try (StatusJournal journal = open()) {
            StatusUpdateQueue queue = new StatusUpdateQueue(10, new Backoff(1_000, 4_000));
            List<Optional<TaskStatus>> sentNow = journal.replay().unacknowledged().stream()
                    .map(u -> queue.add(u, clock.millis())).toList();
            assertEquals(List.of(Optional.of(r1), Optional.empty(), Optional.of(r2)), sentNow, "heads go out at once, f1 waits");
            long start = clock.millis();
            for (long delay : new long[] {1_000, 2_000, 4_000, 4_000}) {
                start += delay;
                assertEquals(OptionalLong.of(start), queue.nextResendAtMs());
                clock.advanceMs(start - clock.millis());
                assertEquals(List.of(r1, r2), queue.due(clock.millis(), 100));
            }
            StatusUpdateQueue.Ack ack = queue.acknowledge("fw", "t1", r1.getUpdateId(), clock.millis());
            journal.appendAck("fw", "t1", r1.getUpdateId());
            assertEquals(Optional.of(f1), ack.next());
        }
        try (StatusJournal journal = open()) {
            assertEquals(List.of(f1, r2), journal.replay().unacknowledged());
        }
    }

    @Test
    void aDamagedOrForeignEntryIsSkippedAndTheRestReplayed() throws Exception {
        TaskStatus r1 = update("t1", TaskState.RUNNING);
        TaskStatus r2 = update("t2", TaskState.RUNNING);
        String generation;
        try (StatusJournal journal = open()) {
            journal.appendUpdate(r1);
            generation = journalGeneration(journal);
        }
        try (SingleChronicleQueue raw = rawQueue(generation)) {
            ExcerptAppender appender = raw.createAppender();
            appender.writeBytes(b -> b.write("garbage, not an entry".getBytes(StandardCharsets.UTF_8)));
            // A well-framed update entry whose body was flipped after its checksum was taken.
            appender.writeBytes(b -> {
                b.writeByte((byte) 1);
                b.writeInt(4);
                b.write(new byte[] {1, 2, 3, 4});
                b.writeInt(12345);
            });
            appender.writeBytes(b -> b.writeByte((byte) 1));
        }
        try (StatusJournal journal = open()) {
            journal.appendUpdate(r2);
            assertEquals(List.of(r1), journal.replay().unacknowledged());
            assertEquals(3, journal.replay().skipped());
        }
        try (StatusJournal journal = open()) {
            assertEquals(List.of(r1, r2), journal.replay().unacknowledged());
            assertEquals(0, journal.replay().skipped());
        }
    }

    @Test
    void anAppendLeftOpenByAWriterThatDiedNeitherHangsNorLosesWhatCameBefore() throws Exception {
        TaskStatus r1 = update("t1", TaskState.RUNNING);
        TaskStatus r2 = update("t2", TaskState.RUNNING);
        String generation;
        try (StatusJournal journal = open()) {
            journal.appendUpdate(r1);
            generation = journalGeneration(journal);
        }
        // A writer that stops inside an append: the entry's header stays incomplete and the
        // queue's write lock stays held, as when the process is killed there.
        SingleChronicleQueue dead = rawQueue(generation);
        DocumentContext open = dead.createAppender().writingDocument();
        open.wire().bytes().write(new byte[] {1, 0, 0, 0, 9});
        try {
            try (StatusJournal journal = open()) {
                assertEquals(List.of(r1), journal.replay().unacknowledged());
                journal.appendUpdate(r2);
                assertFalse(Files.exists(dir.resolve(generation)), "the dead writer's generation is gone");
            }
            try (StatusJournal journal = open()) {
                assertEquals(List.of(r1, r2), journal.replay().unacknowledged());
            }
        } finally {
            open.rollbackOnClose();
            open.close();
            dead.close();
        }
    }

    @Test
    void compactionKeepsTheJournalBoundedAndOnlyTheLiveUpdates() throws Exception {
        StatusUpdateQueue queue = new StatusUpdateQueue(100, new Backoff(1_000, 4_000));
        try (StatusJournal journal = StatusJournal.open(dir, 50, clock.millis())) {
            for (int i = 0; i < 40; i++) {
                TaskStatus running = update("t" + i, TaskState.RUNNING);
                journal.appendUpdate(running);
                queue.add(running, clock.millis());
                if (i % 4 != 0) {
                    journal.appendAck("fw", running.getTaskId(), running.getUpdateId());
                    queue.acknowledge("fw", running.getTaskId(), running.getUpdateId(), clock.millis());
                }
            }
            assertTrue(journal.compactionDue(clock.millis()), journal.entries() + " entries");
            int before = journal.generation();
            journal.compact(queue.pending(), clock.millis());
            assertEquals(before + 1, journal.generation());
            assertEquals(10, journal.entries());
            assertFalse(journal.compactionDue(clock.millis()));
            assertEquals(List.of(journalGeneration(journal)), generations());

            // Few entries, but a day old: compacted too, so cycle files never pile up.
            clock.advanceMs(StatusJournal.MAX_GENERATION_AGE_MS);
            assertTrue(journal.compactionDue(clock.millis()));
        }
        try (StatusJournal journal = StatusJournal.open(dir, 50, clock.millis())) {
            assertEquals(queue.pending(), journal.replay().unacknowledged());
        }
    }

    @Test
    void leftoversOfACompactionThatCrashedAreRemovedAndABadCurrentStartsEmpty() throws Exception {
        TaskStatus r1 = update("t1", TaskState.RUNNING);
        String generation;
        try (StatusJournal journal = open()) {
            journal.appendUpdate(r1);
            generation = journalGeneration(journal);
        }
        // A compaction that died after creating its generation, before switching CURRENT.
        int n = Integer.parseInt(generation.substring(4));
        Path halfWritten = dir.resolve(String.format("gen-%08d", n + 1));
        Files.createDirectories(halfWritten);
        Files.writeString(halfWritten.resolve("junk.cq4"), "half");
        try (StatusJournal journal = open()) {
            assertEquals(List.of(r1), journal.replay().unacknowledged());
            assertEquals(List.of(journalGeneration(journal)), generations());
        }
        Files.writeString(dir.resolve(StatusJournal.CURRENT_FILE), "gen-99999999\n");
        try (StatusJournal journal = open()) {
            assertEquals(List.of(), journal.replay().unacknowledged(), "CURRENT names a generation that is not there");
        }
        Files.writeString(dir.resolve(StatusJournal.CURRENT_FILE), "../../etc\n");
        try (StatusJournal journal = open()) {
            assertEquals(List.of(), journal.replay().unacknowledged(), "CURRENT holds no generation name");
        }
    }

    private SingleChronicleQueue rawQueue(String generation) {
        return SingleChronicleQueueBuilder.single(dir.resolve(generation).toFile()).rollCycle(RollCycles.FAST_DAILY).build();
    }

    private static String journalGeneration(StatusJournal journal) {
        return String.format("gen-%08d", journal.generation());
    }

    private List<String> generations() throws Exception {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
