package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirTest {
    @TempDir
    Path root;

    private WorkDir open(Path dir) {
        return WorkDir.open(dir, Optional.empty(), "Node_1.Example", new Random(42));
    }

    @Test
    void generatesAnIdFromTheHostAndKeepsItAcrossRestarts() {
        Path dir = root.resolve("work");
        String id;
        try (WorkDir w = open(dir)) {
            id = w.agentId();
            assertTrue(id.matches("node_1\\.example-[0-9a-f]{8}"), id);
            assertTrue(Files.isDirectory(dir.resolve("sandboxes")));
        }
        try (WorkDir w = WorkDir.open(dir, Optional.empty(), "other-host", new Random(7))) {
            assertEquals(id, w.agentId());
        }
    }

    @Test
    void sanitizesHostNames() {
        String id = WorkDir.generateAgentId("Bad Host!/x", new Random(1));
        assertTrue(id.matches("bad-host--x-[0-9a-f]{8}"), id);
        assertTrue(WorkDir.generateAgentId("", new Random(1)).startsWith("agent-"));
        assertTrue(WorkDir.generateAgentId("h".repeat(300), new Random(1)).length() <= 200);
    }

    @Test
    void overrideWinsAndIsStored() {
        Path dir = root.resolve("work");
        try (WorkDir w = open(dir)) {
            assertTrue(w.agentId().startsWith("node_1"));
        }
        try (WorkDir w = WorkDir.open(dir, Optional.of("fixed-id"), "h", new Random(1))) {
            assertEquals("fixed-id", w.agentId());
        }
        try (WorkDir w = open(dir)) {
            assertEquals("fixed-id", w.agentId());
        }
    }

    @Test
    void secondAgentOnTheSameDirFailsNamingTheDir() {
        Path dir = root.resolve("work");
        try (WorkDir first = open(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(dir));
            assertTrue(first.agentId().startsWith("node_1"));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("in use by another agent"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        // Released at close: a new agent may take it.
        try (WorkDir again = open(dir)) {
            assertTrue(again.agentId().startsWith("node_1"));
        }
    }

    @Test
    void closeIsIdempotent() {
        WorkDir w = open(root.resolve("work"));
        w.close();
        w.close();
    }

    @Test
    void invalidStoredIdFailsClearly() throws Exception {
        Path dir = root.resolve("work");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(WorkDir.ID_FILE), "not/valid\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(dir));
        assertTrue(e.getMessage().contains(dir.resolve(WorkDir.ID_FILE).toString()), e.getMessage());
        // The lock was released on the way out.
        try (WorkDir w = WorkDir.open(dir, Optional.of("good"), "h", new Random(1))) {
            assertEquals("good", w.agentId());
        }
    }

    @Test
    void commandPositionRoundTripsAtomically() throws Exception {
        try (WorkDir w = open(root.resolve("work"))) {
            assertTrue(w.readPosition().isEmpty());
            w.writePosition(new WorkDir.CommandPosition(3, 17));
            assertEquals(Optional.of(new WorkDir.CommandPosition(3, 17)), w.readPosition());
            w.writePosition(new WorkDir.CommandPosition(5, 1_000_000_000_000L));
            assertEquals(Optional.of(new WorkDir.CommandPosition(5, 1_000_000_000_000L)), w.readPosition());
            assertTrue(Files.notExists(w.dir().resolve(WorkDir.POSITION_FILE + ".tmp")));
            Files.writeString(w.dir().resolve(WorkDir.POSITION_FILE), "garbage");
            assertTrue(w.readPosition().isEmpty());
        }
    }
}
