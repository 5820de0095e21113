package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.PortRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortRangesTest {
    @Test
    void parsesRangesAndSinglePortsSortedWithAdjacentOnesMerged() {
        assertEquals(List.of(new PortRange(31_000, 32_000)), PortRanges.parse("31000-32000"));
        assertEquals(List.of(new PortRange(80, 80), new PortRange(31_000, 32_000), new PortRange(40_000, 40_100)),
                PortRanges.parse(" 40000-40100 , 31000 - 32000,80"));
        assertEquals(List.of(new PortRange(1, 65_535)), PortRanges.parse("1-100,101-65535"));
        assertEquals(List.of(), PortRanges.parse(""));
        assertEquals(List.of(), PortRanges.parse("  "));
    }

    @Test
    void rejectsWhatIsNotARange() {
        assertRejects("31000-", "'31000-' is not a port range");
        assertRejects("a-b", "'a-b' is not a port range");
        assertRejects("1-2-3", "'1-2-3' is not a port range");
        assertRejects("1,,2", "'' is not a port range");
        assertRejects("-5", "range -5--5 must lie within [1, 65535]");
    }

    @Test
    void rejectsRangesOutOfBoundsBackwardsOrOverlapping() {
        assertRejects("0-10", "range 0-10 must lie within [1, 65535] with begin <= end");
        assertRejects("65000-65536", "range 65000-65536 must lie within");
        assertRejects("200-100", "range 200-100 must lie within");
        assertRejects("31000-32000,31500-33000", "ranges 31000-32000 and 31500-33000 overlap");
        assertRejects("5,5", "ranges 5-5 and 5-5 overlap");
    }

    @Test
    void boundsTheNumberOfRanges() {
        List<PortRange> many = new ArrayList<>();
        for (int i = 0; i <= PortRanges.MAX_RANGES; i++) {
            many.add(new PortRange(2 * i + 1, 2 * i + 1));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRanges.checked(many));
        assertTrue(e.getMessage().contains("at most " + PortRanges.MAX_RANGES), e.getMessage());
        assertEquals(PortRanges.MAX_RANGES, PortRanges.checked(many.subList(0, PortRanges.MAX_RANGES)).size());
    }

    private static void assertRejects(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRanges.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
