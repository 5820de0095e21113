package io.drover.job.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.job.api.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class SerdesTest {

    static <T> byte[] encode(Serde<T> serde, T value) throws Exception {
        ByteBuf b = new ByteBuf(4);
        serde.write(value, b);
        return b.toByteArray();
    }

    static <T> T roundTrip(Serde<T> serde, T value) throws Exception {
        byte[] bytes = encode(serde, value);
        // Decoding must honour the offset: put the encoding in the middle of a larger array.
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        return serde.read(padded, 3, bytes.length);
    }

    @SuppressWarnings("unchecked")
    static <T> T reserialize(T object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void builtInsRoundTrip() throws Exception {
        assertEquals("héllo, 世界 \uD83D\uDE00", roundTrip(Serdes.string(), "héllo, 世界 \uD83D\uDE00"));
        assertArrayEquals(new byte[] {0, -1, 5}, roundTrip(Serdes.bytes(), new byte[] {0, -1, 5}));
        assertEquals(Long.MIN_VALUE, roundTrip(Serdes.longs(), Long.MIN_VALUE));
        assertEquals(-7, roundTrip(Serdes.ints(), -7));
        Serde<Pair<String, List<Long>>> nested = Serdes.pair(Serdes.string(), Serdes.list(Serdes.longs()));
        Pair<String, List<Long>> p = Pair.of("k", List.of(1L, -2L, 3L));
        assertEquals(p, roundTrip(nested, p));
        assertEquals(p, roundTrip(reserialize(nested), p));
    }

    @Test
    void orderPreservingSerdesSortLikeTheirValues() throws Exception {
        Random random = new Random(2);
        for (int i = 0; i < 10000; i++) {
            long a = random.nextLong() >> random.nextInt(64);
            long b = random.nextLong() >> random.nextInt(64);
            byte[] ea = encode(Serdes.longs(), a);
            byte[] eb = encode(Serdes.longs(), b);
            assertEquals(Integer.signum(Long.compare(a, b)),
                    Integer.signum(ByteBuf.compare(ea, 0, ea.length, eb, 0, eb.length)), a + " vs " + b);
            int x = (int) a;
            int y = (int) b;
            byte[] ex = encode(Serdes.ints(), x);
            byte[] ey = encode(Serdes.ints(), y);
            assertEquals(Integer.signum(Integer.compare(x, y)),
                    Integer.signum(ByteBuf.compare(ex, 0, ex.length, ey, 0, ey.length)));
        }
        assertTrue(Serdes.longs().orderPreserving() && Serdes.bytes().orderPreserving());
    }

    @Test
    void avroGenericRecordsRoundTripAfterTheSerdeIsShipped() throws Exception {
        Schema schema = SchemaBuilder.record("R").fields().requiredString("name").optionalLong("n").endRecord();
        GenericRecord r = new GenericData.Record(schema);
        r.put("name", "a");
        r.put("n", 42L);
        AvroGenericSerde serde = reserialize(new AvroGenericSerde(schema));
        GenericRecord back = roundTrip(serde, r);
        assertEquals("a", back.get("name").toString());
        assertEquals(42L, back.get("n"));
        assertArrayEquals(encode(serde, r), encode(serde, back));
    }

    /** A plain class for reflection: public, with a no-argument constructor. */
    public static final class Point {
        public int x;
        public String label;

        public Point() {}

        Point(int x, String label) {
            this.x = x;
            this.label = label;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Point p && p.x == x && Objects.equals(p.label, label);
        }

        @Override
        public int hashCode() {
            return Objects.hash(x, label);
        }
    }

    @Test
    void avroReflectObjectsRoundTrip() throws Exception {
        AvroReflectSerde<Point> serde = reserialize(new AvroReflectSerde<>(Point.class));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            points.add(new Point(i, "p" + i));
        }
        for (Point p : points) {
            assertEquals(p, roundTrip(serde, p));
        }
    }
}
