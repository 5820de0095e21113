package io.drover.job.shuffle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The heap merge against a stable sort of everything, for byte order (prefix path) and its reverse. */
class MergedStreamTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void mergesLikeAStableSortWithLongSharedPrefixesAndTies(boolean ascending) throws Exception {
        KeyOrder order = ascending ? KeyOrder.BYTES : (a, ao, al, b, bo, bl) -> KeyOrder.BYTES.compare(b, bo, bl, a, ao, al);
        Comparator<byte[]> keys = (a, b) -> order.compare(a, 0, a.length - 2, b, 0, b.length - 2);
        byte[] alphabet = {0, 1, (byte) 0x80, (byte) 0xff};
        Random random = new Random(4);
        List<byte[]> all = new ArrayList<>();
        List<RecordStream> streams = new ArrayList<>();
        for (int s = 0; s < 9; s++) {
            List<byte[]> records = new ArrayList<>();
            int n = s == 4 ? 0 : random.nextInt(300);
            for (int i = 0; i < n; i++) {
                // Keys of 0 to 12 bytes over a small alphabet: many share their first eight bytes.
                byte[] r = new byte[random.nextInt(13) + 2];
                for (int j = 0; j < r.length - 2; j++) {
                    r[j] = alphabet[random.nextInt(alphabet.length)];
                }
                r[r.length - 2] = (byte) s;
                r[r.length - 1] = (byte) i;
                records.add(r);
            }
            records.sort(keys);
            all.addAll(records);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] r : records) {
                RecordStream.write(out, r, 0, r.length - 2, r, r.length - 2, 2);
            }
            streams.add(new RecordStream(new ByteArrayInputStream(out.toByteArray())));
        }
        // Stable: equal keys in stream order, then in each stream's order.
        all.sort(keys);
        HexFormat hex = HexFormat.of();
        List<String> got = new ArrayList<>();
        try (MergedStream merged = new MergedStream(streams, order)) {
            while (merged.next()) {
                RecordStream r = merged.current();
                byte[] rec = Arrays.copyOf(r.key(), r.keyLength() + r.valueLength());
                System.arraycopy(r.value(), 0, rec, r.keyLength(), r.valueLength());
                got.add(hex.formatHex(rec));
            }
        }
        assertEquals(all.stream().map(hex::formatHex).toList(), got);
    }
}
