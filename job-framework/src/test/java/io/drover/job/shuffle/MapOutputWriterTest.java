package io.drover.job.shuffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Map output many times the sort buffer: spilled, merged in passes, read back exactly. */
class MapOutputWriterTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Compression.class)
    void spillsAndMultiPassMergeKeepEveryRecordInOrder(Compression compression) throws Exception {
        int partitions = 5;
        ShuffleConfig config = ShuffleConfig.defaults().withBufferBytes(4096).withMergeFanIn(3)
                .withCompression(compression).withFsync(true);
        Random random = new Random(1);
        List<List<String>> expected = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            expected.add(new ArrayList<>());
        }
        MapOutputWriter writer = new MapOutputWriter(partitions, KeyOrder.BYTES, config, dir.resolve("spill"));
        try (writer) {
            for (int i = 0; i < 20000; i++) {
                String key = "k" + random.nextInt(100000);
                byte[] k = key.getBytes(StandardCharsets.UTF_8);
                byte[] v = ("v" + i).getBytes(StandardCharsets.UTF_8);
                int p = random.nextInt(partitions);
                if (p == 3) {
                    continue;
                }
                writer.add(p, k, 0, k.length, v, 0, v.length);
                expected.get(p).add(key + "=" + "v" + i);
            }
            writer.commit(ShuffleFiles.data(dir, 0, 0, 0), ShuffleFiles.index(dir, 0, 0, 0));
            assertTrue(writer.spills() > 10, "spills: " + writer.spills());
        }
        assertFalse(Files.exists(dir.resolve("spill")));
        for (int p = 0; p < partitions; p++) {
            // Sorted by key; equal keys keep arrival order (a stable sort and merge).
            List<String> want = expected.get(p);
            want.sort((a, b) -> a.substring(0, a.indexOf('=')).compareTo(b.substring(0, b.indexOf('='))));
            List<String> got = new ArrayList<>();
            try (RecordStream s = LocalShuffleFetcher.open(dir, 0, 0, 0, p)) {
                while (s.next()) {
                    got.add(new String(s.key(), 0, s.keyLength(), StandardCharsets.UTF_8) + "="
                            + new String(s.value(), 0, s.valueLength(), StandardCharsets.UTF_8));
                }
            }
            assertEquals(want, got, "partition " + p);
        }
    }
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void sortsUnsignedBytesShortKeysAndTiesLikeAStableFullCompare(boolean ordered) throws Exception {
        int partitions = 3;
        byte[] alphabet = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff};
        Random random = new Random(5);
        List<List<byte[]>> expected = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            expected.add(new ArrayList<>());
        }
        MapOutputWriter writer = new MapOutputWriter(partitions, ordered ? KeyOrder.BYTES : null,
                ShuffleConfig.defaults(), dir.resolve("spill"));
        try (writer) {
            for (int i = 0; i < 5000; i++) {
                byte[] k = new byte[random.nextInt(7)];
                for (int j = 0; j < k.length; j++) {
                    k[j] = alphabet[random.nextInt(alphabet.length)];
                }
                byte[] record = java.util.Arrays.copyOf(k, k.length + 4);
                java.nio.ByteBuffer.wrap(record, k.length, 4).putInt(i);
                int p = random.nextInt(partitions);
                writer.add(p, k, 0, k.length, record, k.length, 4);
                expected.get(p).add(record);
            }
            writer.commit(ShuffleFiles.data(dir, 0, 0, 0), ShuffleFiles.index(dir, 0, 0, 0));
        }
        for (int p = 0; p < partitions; p++) {
            List<byte[]> want = expected.get(p);
            if (ordered) {
                want.sort((a, b) -> java.util.Arrays.compareUnsigned(a, 0, a.length - 4, b, 0, b.length - 4));
            }
            List<String> got = new ArrayList<>();
            try (RecordStream s = LocalShuffleFetcher.open(dir, 0, 0, 0, p)) {
                while (s.next()) {
                    byte[] r = java.util.Arrays.copyOf(s.key(), s.keyLength() + s.valueLength());
                    System.arraycopy(s.value(), 0, r, s.keyLength(), s.valueLength());
                    got.add(java.util.HexFormat.of().formatHex(r));
                }
            }
            assertEquals(want.stream().map(java.util.HexFormat.of()::formatHex).toList(), got, "partition " + p);
        }
    }
}
