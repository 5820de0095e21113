package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.Resources;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceProbeTest {
    private static final ResourceProbe.Measured MACHINE = new ResourceProbe.Measured(8, 16_384, 100_000);

    private static AgentConfig.Builder config() {
        return AgentConfig.builder("localhost:9092", Path.of("/tmp/x")).hostname("h");
    }

    @Test
    void reportsTheMachineWithoutOverridesOrReserve() {
        Resources r = ResourceProbe.applyOverridesAndReserve(MACHINE, config().build());
        assertEquals(8, r.getCpus());
        assertEquals(16_384, r.getMemMb());
        assertEquals(100_000, r.getDiskMb());
        assertEquals(0, r.getGpus());
        assertTrue(r.getPorts().isEmpty());
    }

    @Test
    void overridesReplaceThenReserveSubtracts() {
        Resources r = ResourceProbe.applyOverridesAndReserve(MACHINE,
                config().cpus(4).memMb(2_048).reserveCpus(0.5).reserveMemMb(512).reserveDiskMb(1_000).build());
        assertEquals(3.5, r.getCpus());
        assertEquals(1_536, r.getMemMb());
        assertEquals(99_000, r.getDiskMb());
    }

    @Test
    void overrideOfOneDimensionKeepsTheOthersMeasured() {
        Resources r = ResourceProbe.applyOverridesAndReserve(MACHINE, config().diskMb(10).build());
        assertEquals(8, r.getCpus());
        assertEquals(16_384, r.getMemMb());
        assertEquals(10, r.getDiskMb());
    }

    @Test
    void neverBelowZero() {
        Resources r = ResourceProbe.applyOverridesAndReserve(MACHINE,
                config().cpus(1).reserveCpus(2).reserveMemMb(20_000).diskMb(5).reserveDiskMb(6).build());
        assertEquals(0, r.getCpus());
        assertEquals(0, r.getMemMb());
        assertEquals(0, r.getDiskMb());
    }

    @Test
    void measuresThisMachine(@TempDir Path dir) {
        ResourceProbe.Measured m = ResourceProbe.measure(dir);
        assertTrue(m.cpus() >= 1, () -> "cpus " + m.cpus());
        assertTrue(m.memMb() > 0, () -> "memMb " + m.memMb());
        assertTrue(m.diskMb() > 0, () -> "diskMb " + m.diskMb());
        Resources r = ResourceProbe.probe(AgentConfig.builder("b:1", dir).hostname("h").reserveMemMb(1).build());
        assertEquals(m.memMb() - 1, r.getMemMb());
    }
}
