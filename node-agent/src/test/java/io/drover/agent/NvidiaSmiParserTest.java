package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NvidiaSmiParserTest {
    @Test
    void readsOneGpuPerLine() {
        assertEquals(List.of(new NvidiaSmiParser.Gpu(0, "NVIDIA H100 80GB HBM3", 81559), new NvidiaSmiParser.Gpu(1, "Tesla T4", 15360)),
                NvidiaSmiParser.parse("0, NVIDIA H100 80GB HBM3, 81559\n1, Tesla T4, 15360\n"));
    }

    @Test
    void noLinesMeanNoGpus() {
        assertEquals(List.of(), NvidiaSmiParser.parse(""));
        assertEquals(List.of(), NvidiaSmiParser.parse("\n  \r\n"));
    }

    @Test
    void aNameMayHoldCommasAndLinesMayEndInCarriageReturns() {
        assertEquals(List.of(new NvidiaSmiParser.Gpu(3, "Odd, Card", 1)), NvidiaSmiParser.parse(" 3 ,Odd, Card ,1 \r\n"));
    }

    @Test
    void rejectsGarbageNamingTheLine() {
        assertRejects("No devices were found", "expected 'index, name, memory'");
        assertRejects("0, Tesla T4", "expected 'index, name, memory'");
        assertRejects("x, Tesla T4, 15360", "whole numbers");
        assertRejects("0, Tesla T4, [N/A]", "whole numbers");
        assertRejects("0, , 15360", "no usable GPU name");
        assertRejects("-1, Tesla T4, 15360", "not be negative");
        assertRejects("0, Tesla T4, 15360\nboom", "'boom'");
    }

    @Test
    void boundsTheGpusAndTheNameLength() {
        String line = "0, T4, 1\n";
        assertEquals(NvidiaSmiParser.MAX_GPUS, NvidiaSmiParser.parse(line.repeat(NvidiaSmiParser.MAX_GPUS)).size());
        assertRejects(line.repeat(NvidiaSmiParser.MAX_GPUS + 1), "more than " + NvidiaSmiParser.MAX_GPUS);
        String name = "n".repeat(1_000);
        assertEquals(NvidiaSmiParser.MAX_NAME_LENGTH, NvidiaSmiParser.parse("0, " + name + ", 1").get(0).name().length());
    }

    private static void assertRejects(String output, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NvidiaSmiParser.parse(output));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
