package io.drover.job.shuffle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.job.serde.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte-keyed map-side combiner against a plain map, through growth, collisions and drains. */
class BytesCombinerTest {

    private static BytesCombiner summing(int maxKeys, int maxKeyBytes) {
        return new BytesCombiner(maxKeys, maxKeyBytes, v -> v, (a, b) -> (Long) a + (Long) b);
    }

    private static void drainInto(BytesCombiner c, Map<String, Long> into) throws IOException {
        c.drain((k, off, len, v) -> into.merge(new String(k, off, len, StandardCharsets.ISO_8859_1), (Long) v, Long::sum));
    }

    @Test
    void sumsSlicesOfALargerBufferThroughGrowthLikeAMap() throws Exception {
        Random random = new Random(7);
        BytesCombiner c = summing(1 << 20, 1 << 26);
        Map<String, Long> expected = new HashMap<>();
        byte[] buf = new byte[64];
        for (int i = 0; i < 300_000; i++) {
            // Many distinct keys (past the first 1,024 entries and the first 64 KiB of keys), many repeats.
            int len = random.nextInt(12);
            int off = random.nextInt(buf.length - len);
            for (int j = 0; j < len; j++) {
                buf[off + j] = (byte) ('a' + random.nextInt(random.nextBoolean() ? 3 : 26));
            }
            long v = 1 + random.nextInt(5);
            assertFalse(c.add(buf, off, len, v));
            expected.merge(new String(buf, off, len, StandardCharsets.ISO_8859_1), v, Long::sum);
        }
        assertEquals(expected.size(), c.size());
        Map<String, Long> got = new HashMap<>();
        drainInto(c, got);
        assertEquals(expected, got);
        assertEquals(0, c.size());
    }

    @Test
    void keysWithTheSameHashStayApart() throws Exception {
        // Find two different 8-byte keys with the same 32-bit hash (a birthday search over some 100k keys).
        Map<Integer, Long> seen = new HashMap<>();
        Random random = new Random(11);
        byte[] a = null;
        byte[] b = null;
        while (a == null) {
            long x = random.nextLong();
            Long other = seen.putIfAbsent(ByteBuf.hash(longBytes(x), 0, 8), x);
            if (other != null && other != x) {
                a = longBytes(other);
                b = longBytes(x);
            }
        }
        assertEquals(ByteBuf.hash(a, 0, 8), ByteBuf.hash(b, 0, 8));
        BytesCombiner c = summing(100, 1000);
        c.add(a, 0, 8, 1L);
        c.add(b, 0, 8, 10L);
        c.add(a, 0, 8, 2L);
        c.add(b, 0, 8, 20L);
        // A key that is a prefix of another, and the empty key, are keys of their own.
        c.add(a, 0, 3, 100L);
        c.add(a, 0, 0, 1000L);
        List<String> got = new ArrayList<>();
        c.drain((k, off, len, v) -> got.add(len + ":" + v));
        assertEquals(List.of("8:3", "8:30", "3:100", "0:1000"), got);
    }

    private static byte[] longBytes(long x) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (x >>> (56 - 8 * i));
        }
        return b;
    }

    @Test
    void reportsFullAtMaxKeysAndDrainsEverythingOnce() throws Exception {
        BytesCombiner c = summing(10, 1 << 20);
        Map<String, Long> expected = new HashMap<>();
        Map<String, Long> got = new HashMap<>();
        int drains = 0;
        Random random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            byte[] k = ("k" + random.nextInt(100)).getBytes(StandardCharsets.ISO_8859_1);
            expected.merge(new String(k, StandardCharsets.ISO_8859_1), 1L, Long::sum);
            if (c.add(k, 0, k.length, 1L)) {
                assertEquals(10, c.size());
                drainInto(c, got);
                drains++;
            }
            assertTrue(c.size() < 10);
        }
        drainInto(c, got);
        assertTrue(drains > 10, "drains: " + drains);
        assertEquals(expected, got);
    }

    @Test
    void reportsFullAtMaxKeyBytes() throws Exception {
        BytesCombiner c = summing(1_000_000, 1000);
        byte[] k = new byte[100];
        int added = 0;
        boolean full = false;
        while (!full) {
            k[0] = (byte) added;
            k[1] = (byte) (added >>> 8);
            full = c.add(k, 0, k.length, 1L);
            added++;
        }
        assertEquals(10, added);
        List<byte[]> keys = new ArrayList<>();
        c.drain((key, off, len, v) -> keys.add(java.util.Arrays.copyOfRange(key, off, off + len)));
        assertEquals(10, keys.size());
        k[0] = 9;
        k[1] = 0;
        assertArrayEquals(k, keys.get(9));
        // Reusable after a drain.
        assertFalse(c.add(k, 0, k.length, 1L));
        assertEquals(1, c.size());
    }

    @Test
    void rejectsNoRoom() {
        assertThrows(IllegalArgumentException.class, () -> summing(0, 10));
        assertThrows(IllegalArgumentException.class, () -> summing(10, 0));
    }
    @Test
    void foldsPrimitiveLongsAndDrainsThemBoxed() throws Exception {
        BytesCombiner c = new BytesCombiner(4, 1 << 20, Math::max);
        Map<String, Long> expected = new HashMap<>();
        Map<String, Long> got = new HashMap<>();
        Random random = new Random(12);
        for (int i = 0; i < 5_000; i++) {
            byte[] k = ("k" + random.nextInt(20)).getBytes(StandardCharsets.ISO_8859_1);
            long v = random.nextLong();
            expected.merge(new String(k, StandardCharsets.ISO_8859_1), v, Math::max);
            if (c.addLong(k, 0, k.length, v)) {
                c.drain((key, off, len, value) -> got.merge(new String(key, off, len, StandardCharsets.ISO_8859_1),
                        (Long) value, Math::max));
            }
        }
        c.drain((key, off, len, value) -> got.merge(new String(key, off, len, StandardCharsets.ISO_8859_1),
                (Long) value, Math::max));
        assertEquals(expected, got);
    }
}
