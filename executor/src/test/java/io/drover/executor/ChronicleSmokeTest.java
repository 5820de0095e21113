package io.drover.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleSmokeTest {
    @Test
    void testJvmHasTheFlagsAndAQueueRoundTrips(@TempDir Path dir) {
        assertTrue(ChronicleFlags.present(), "the parent pom's argLine must carry ChronicleFlags.JVM_ARGS");
        try (ChronicleQueue q = ChronicleQueue.singleBuilder(dir.resolve("q")).build()) {
            ExcerptAppender appender = q.createAppender();
            appender.writeBytes(b -> b.write(new byte[] {1, 2, 3}));
            ExcerptTailer tailer = q.createTailer();
            byte[][] got = new byte[1][];
            assertTrue(tailer.readBytes(b -> got[0] = b.toByteArray()));
            assertEquals(3, got[0].length);
        }
    }
}
