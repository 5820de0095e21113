package io.drover.job.shuffle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** LZ4 only where it shrinks the data. */
class CompressionTest {

    @Test
    void lz4IsKeptForCompressibleDataAndDroppedForRandomData() {
        byte[] random = new byte[300_000];
        new Random(2).nextBytes(random);
        byte[] text = "the quick brown fox jumps over the lazy dog\n".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        assertEquals(Compression.NONE, Compression.LZ4.worthItOn(random, 0, random.length));
        assertEquals(Compression.LZ4, Compression.LZ4.worthItOn(text, 0, text.length));
        // Only the given range is judged.
        byte[] mixed = new byte[random.length + text.length];
        System.arraycopy(random, 0, mixed, 0, random.length);
        System.arraycopy(text, 0, mixed, random.length, text.length);
        assertEquals(Compression.LZ4, Compression.LZ4.worthItOn(mixed, random.length, text.length));
        assertEquals(Compression.NONE, Compression.NONE.worthItOn(text, 0, text.length));
        assertEquals(Compression.LZ4, Compression.LZ4.worthItOn(text, 0, 0));
    }
}
