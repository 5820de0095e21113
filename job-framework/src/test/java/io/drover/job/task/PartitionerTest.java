package io.drover.job.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The prefix sort of sampled keys against a plain comparator sort. */
class PartitionerTest {

    @Test
    void sortedBytesIsUnsignedByteOrderWithShortKeysAndTies() {
        byte[] alphabet = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff};
        Random random = new Random(9);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] k = new byte[random.nextInt(7)];
            for (int j = 0; j < k.length; j++) {
                k[j] = alphabet[random.nextInt(alphabet.length)];
            }
            keys.add(k);
        }
        List<byte[]> want = new ArrayList<>(keys);
        want.sort(Arrays::compareUnsigned);
        HexFormat hex = HexFormat.of();
        assertEquals(want.stream().map(hex::formatHex).toList(),
                Partitioner.sortedBytes(keys).stream().map(hex::formatHex).toList());
    }
    @Test
    void rangePrefixesOrderLikeTheKeys() {
        byte[] alphabet = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff};
        Random random = new Random(10);
        for (int i = 0; i < 20_000; i++) {
            byte[] a = new byte[random.nextInt(11)];
            byte[] b = new byte[random.nextInt(11)];
            for (int j = 0; j < a.length; j++) {
                a[j] = alphabet[random.nextInt(alphabet.length)];
            }
            for (int j = 0; j < b.length; j++) {
                b[j] = alphabet[random.nextInt(alphabet.length)];
            }
            int byPrefix = Long.signum(Long.compareUnsigned(Partitioner.prefix(a, 0, a.length),
                    Partitioner.prefix(b, 0, b.length)));
            int byBytes = Integer.signum(Arrays.compareUnsigned(a, b));
            // Equal prefixes may hide a difference past eight bytes or in length; unequal ones never lie.
            if (byPrefix != 0) {
                assertEquals(byBytes, byPrefix, HexFormat.of().formatHex(a) + " vs " + HexFormat.of().formatHex(b));
            }
        }
    }
}
