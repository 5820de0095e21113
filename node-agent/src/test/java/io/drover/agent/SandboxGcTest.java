package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxGcTest {
    private static final long DAY_MS = 24L * 3600 * 1000;
    private static final long NOW_MS = 100 * DAY_MS;

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(NOW_MS);
    private final AtomicReference<Double> freePercent = new AtomicReference<>(50.0);

    private SandboxGc gc() {
        return new SandboxGc(root, clock, 7 * DAY_MS, 10, freePercent::get);
    }

    /** A sandbox with a stdout file, both last changed {@code ageMs} ago. */
    private Path sandbox(String fw, String task, long ageMs) throws Exception {
        Path dir = Files.createDirectories(root.resolve(fw).resolve(task));
        Path out = Files.writeString(dir.resolve("stdout"), "x");
        FileTime t = FileTime.fromMillis(NOW_MS - ageMs);
        Files.setLastModifiedTime(out, t);
        Files.setLastModifiedTime(dir, t);
        return dir;
    }

    @Test
    void deletesOnlyFinishedSandboxesPastTheMaximumAge() throws Exception {
        Path old = sandbox("fw", "old", 8 * DAY_MS);
        Path young = sandbox("fw", "young", 6 * DAY_MS);
        Path running = sandbox("fw2", "running", 30 * DAY_MS);
        assertEquals(List.of(old), gc().scan(Set.of(running)));
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(young));
        assertTrue(Files.exists(running));

        clock.advance(java.time.Duration.ofDays(2));
        assertEquals(List.of(young), gc().scan(Set.of(running)));
        assertFalse(Files.exists(root.resolve("fw")), "the empty framework directory goes too");
    }

    @Test
    void aRootNotMadeYetIsNothingToDelete() {
        // The shuffle root exists only once an executor has written map outputs.
        SandboxGc missing = new SandboxGc(root.resolve("shuffle"), clock, 7 * DAY_MS, 10, freePercent::get);
        assertEquals(List.of(), missing.scan(Set.of()));
    }

    @Test
    void aRecentWriteKeepsASandbox() throws Exception {
        Path dir = sandbox("fw", "t", 8 * DAY_MS);
        Files.setLastModifiedTime(dir.resolve("stdout"), FileTime.fromMillis(NOW_MS - DAY_MS));
        assertEquals(List.of(), gc().scan(Set.of()));
    }

    @Test
    void lowDiskDeletesTheOldestFinishedSandboxesUntilThereIsRoom() throws Exception {
        Path a = sandbox("fw", "a", 3 * DAY_MS);
        Path b = sandbox("fw", "b", 2 * DAY_MS);
        Path c = sandbox("fw", "c", DAY_MS);
        Path running = sandbox("fw", "running", 5 * DAY_MS);
        freePercent.set(5.0);
        SandboxGc gc = new SandboxGc(root, clock, 7 * DAY_MS, 10, () -> {
            // Each deletion frees 3% of the disk.
            long left = List.of(a, b, c).stream().filter(Files::exists).count();
            return 5.0 + 3 * (3 - left);
        });
        assertEquals(List.of(a, b), gc.scan(Set.of(running)));
        assertTrue(Files.exists(c));
        assertTrue(Files.exists(running));
    }

    @Test
    void oneScanDeletesABoundedNumber() throws Exception {
        for (int i = 0; i < SandboxGc.MAX_DELETES_PER_SCAN + 3; i++) {
            sandbox("fw", "t" + i, 10 * DAY_MS + i);
        }
        assertEquals(SandboxGc.MAX_DELETES_PER_SCAN, gc().scan(Set.of()).size());
        assertEquals(3, gc().scan(Set.of()).size());
    }
}
