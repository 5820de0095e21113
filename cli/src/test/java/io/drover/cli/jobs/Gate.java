package io.drover.cli.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files through which the test jobs tell a test where they are and wait for it: a marker a task
 * leaves, and a gate file a task holds for. Packed into each test job's jar beside the job.
 */
public final class Gate {
    private Gate() {}

    /** Leaves an empty marker file, once. */
    public static void mark(Path marker) {
        if (!Files.exists(marker)) {
            try {
                Files.writeString(marker, "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Holds until the gate file exists, at most 60 s (a job function standing in for slow work). */
    public static void waitFor(Path gate) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(gate) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // NOPMD: a job function standing in for slow work
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
