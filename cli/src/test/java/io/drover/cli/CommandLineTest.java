package io.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Usage errors: exit 2, a message and the usage, never a stack trace. */
class CommandLineTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void aWrongFlagPrintsUsageAndExitsTwo() {
        Run r = run("exec", "--cpuz", "1", "--", "true");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--cpuz'"), r.err());
        assertTrue(r.err().contains("Usage: drover exec"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());

        Run unknown = run("frobnicate");
        assertEquals(2, unknown.code());
        assertFalse(unknown.err().contains("\tat "));
    }

    @Test
    void badValuesAreExplained() {
        Run r = run("exec", "--mem", "lots", "--", "true");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'lots' is not a size"), r.err());
        Run noCommand = run("exec", "--cpus", "1");
        assertEquals(2, noCommand.code());
        Run negative = run("exec", "--cpus", "-1", "--", "true");
        assertEquals(2, negative.code());
        assertFalse(negative.err().contains("\tat "), negative.err());
    }

    @Test
    void noClusterIsAClearErrorNotAHang() {
        // Nothing listens on port 1: the exec gives up within its connect timeout with a message.
        Run r = run("exec", "--bootstrap", "localhost:1", "--connect-timeout", "3s", "--", "true");
        assertEquals(125, r.code());
        assertTrue(r.err().startsWith("drover exec: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void helpAndVersionExitZero() {
        assertEquals(0, run("--help").code());
        assertEquals(0, run("--version").code());
        assertEquals(Duration.ofMillis(500), Units.parseDuration("500ms"));
        assertEquals(2048, Units.parseMb("2g"));
        assertEquals(64, Units.parseMb("64m"));
        assertEquals(64, Units.parseMb("64"));
        assertEquals(io.drover.api.ResourceMath.of(2, 4096, 0, 1), Units.parseResources("cpus=2,mem=4g,gpus=1"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Units.parseResources("cpu=2"));
        Run badReservation = run("agent", "--work-dir", "/tmp/nowhere", "--reservation", "r1=cpus=lots");
        assertEquals(2, badReservation.code());
        assertTrue(badReservation.err().contains("cpus must be a number"), badReservation.err());
        Run badRecover = run("agent", "--work-dir", "/tmp/nowhere", "--recover", "later");
        assertEquals(2, badRecover.code());
        assertTrue(badRecover.err().contains("--recover must be reattach or cleanup, was 'later'"), badRecover.err());
        assertFalse(badRecover.err().contains("\tat "), badRecover.err());
        Run badExecutors = run("agent", "--work-dir", "/tmp/nowhere", "--max-executors", "0");
        assertEquals(2, badExecutors.code());
        assertTrue(badExecutors.err().contains("maxExecutors must be in [1, 1000], was 0"), badExecutors.err());
        assertFalse(badExecutors.err().contains("\tat "), badExecutors.err());
    }
}
