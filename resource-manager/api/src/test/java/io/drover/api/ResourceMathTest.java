package io.drover.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResourceMathTest {
    private static List<PortRange> ranges(int... bounds) {
        List<PortRange> out = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) {
            out.add(new PortRange(bounds[i], bounds[i + 1]));
        }
        return out;
    }

    @Test
    void scalarsBehaveAsBefore() {
        Resources a = ResourceMath.of(1.5, 1024, 10, 1);
        Resources b = ResourceMath.of(0.5, 2048, 0, 0);
        assertEquals(ResourceMath.of(2, 3072, 10, 1), ResourceMath.add(a, b));
        assertEquals(ResourceMath.of(1, 0, 10, 1), ResourceMath.subtract(a, b));
        assertTrue(ResourceMath.fits(ResourceMath.of(0.3, 1, 0, 0), ResourceMath.add(ResourceMath.of(0.1, 1, 0, 0), ResourceMath.of(0.2, 0, 0, 0))));
        assertFalse(ResourceMath.fits(b, a));
        assertTrue(ResourceMath.isEmpty(ResourceMath.of(0, 100, 0, 0, ranges(1, 10))));
        assertEquals("cpus=0.50 mem=64MiB disk=0MiB gpus=0", ResourceMath.format(ResourceMath.of(0.5, 64, 0, 0)));
    }

    @Test
    void rangesNormalizeAddSubtractAndFit() {
        assertEquals(ranges(1, 5, 8, 9), ResourceMath.normalize(ranges(8, 9, 4, 5, 1, 3, 2, 2)));
        assertEquals(ranges(1, 10), ResourceMath.addRanges(ranges(1, 4), ranges(5, 10)));
        assertEquals(ranges(1, 2, 6, 7, 10, 10), ResourceMath.subtractRanges(ranges(1, 10), ranges(3, 5, 8, 9)));
        assertEquals(List.of(), ResourceMath.subtractRanges(ranges(3, 4), ranges(1, 10)));
        assertEquals(ranges(3, 4), ResourceMath.intersectRanges(ranges(1, 4), ranges(3, 9)));
        assertTrue(ResourceMath.rangesFit(ranges(2, 3, 7, 7), ranges(1, 4, 6, 9)));
        assertFalse(ResourceMath.rangesFit(ranges(4, 6), ranges(1, 4, 6, 9)));
        assertEquals(11, ResourceMath.portCount(ranges(1, 10, 5, 6, 20, 20)));

        Resources withPorts = ResourceMath.of(2, 100, 0, 0, ranges(31000, 31099));
        Resources task = ResourceMath.of(1, 50, 0, 0, ranges(31010, 31019));
        assertTrue(ResourceMath.fits(task, withPorts));
        assertEquals(ResourceMath.of(1, 50, 0, 0, ranges(31000, 31009, 31020, 31099)), ResourceMath.subtract(withPorts, task));
        assertFalse(ResourceMath.fits(task, ResourceMath.subtract(withPorts, task)), "its ports are gone");
        assertEquals(withPorts, ResourceMath.add(ResourceMath.subtract(withPorts, task), task));
        assertEquals("cpus=1 mem=50MiB disk=0MiB gpus=0 ports=[31010-31019]", ResourceMath.format(task));
    }

    @Test
    void rangeOperationsAgreeWithSetsOfPorts() {
        Random r = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            List<PortRange> a = randomRanges(r);
            List<PortRange> b = randomRanges(r);
            BitSet sa = bits(a);
            BitSet sb = bits(b);
            BitSet union = (BitSet) sa.clone();
            union.or(sb);
            BitSet minus = (BitSet) sa.clone();
            minus.andNot(sb);
            BitSet both = (BitSet) sa.clone();
            both.and(sb);
            String where = "round " + round + ": " + a + " / " + b;
            assertEquals(union, bits(ResourceMath.addRanges(a, b)), where);
            assertEquals(minus, bits(ResourceMath.subtractRanges(a, b)), where);
            assertEquals(both, bits(ResourceMath.intersectRanges(a, b)), where);
            assertEquals(minus.isEmpty(), ResourceMath.rangesFit(a, b), where);
            assertEquals(ResourceMath.normalize(ResourceMath.addRanges(a, b)), ResourceMath.addRanges(a, b), where);
        }
    }

    private static List<PortRange> randomRanges(Random r) {
        List<PortRange> out = new ArrayList<>();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            int begin = r.nextInt(60);
            out.add(new PortRange(begin, begin + r.nextInt(10)));
        }
        return out;
    }

    private static BitSet bits(List<PortRange> ranges) {
        BitSet s = new BitSet();
        ranges.forEach(p -> s.set(p.getBegin(), p.getEnd() + 1));
        return s;
    }
}
