package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        assertEquals(List.of(new PortRange(31_000, 32_000)), r.getPorts());
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
    void offersTheConfiguredPortsWhateverTheReserve() {
        Resources r = ResourceProbe.applyOverridesAndReserve(MACHINE,
                config().ports(PortRanges.parse("40000-40100,8080")).reserveCpus(1).reserveGpus(1).build());
        assertEquals(List.of(new PortRange(8080, 8080), new PortRange(40_000, 40_100)), r.getPorts());
        assertEquals(List.of(), ResourceProbe.applyOverridesAndReserve(MACHINE, config().ports(List.of()).build()).getPorts());
    }

    @Test
    void theDiskIsWhatIsFreePlusWhatRunningTasksWereGivenInStepsOfOnePercent() {
        assertEquals(100_000, ResourceProbe.usableDiskMb(new ResourceProbe.Measured(1, 1, 100_000), 0), "an empty disk");
        ResourceProbe.Measured halfFull = new ResourceProbe.Measured(1, 1, 100_000, 50_999, List.of());
        assertEquals(50_000, ResourceProbe.usableDiskMb(halfFull, 0), "rounded down to 1% (1000 MiB)");
        assertEquals(70_000, ResourceProbe.usableDiskMb(halfFull, 19_001));
        assertEquals(100_000, ResourceProbe.usableDiskMb(halfFull, 90_000), "never more than the file store");
        assertEquals(0, ResourceProbe.usableDiskMb(new ResourceProbe.Measured(1, 1, 100_000, 0, List.of()), 0), "a full disk");
        assertEquals(7, ResourceProbe.usableDiskMb(new ResourceProbe.Measured(1, 1, 50, 7, List.of()), 0), "tiny stores in steps of 1 MiB");

        assertEquals(49_000, ResourceProbe.report(halfFull, config().reserveDiskMb(1_000).build(), 0).total().getDiskMb());
        assertEquals(10, ResourceProbe.report(halfFull, config().diskMb(10).build(), 0).total().getDiskMb(), "an override is taken as is");
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
    void gpusComeFromTheMeasurementOrTheOverrideLessTheReserveAndNameTheModel() {
        ResourceProbe.Measured twoGpus = new ResourceProbe.Measured(8, 16_384, 100_000, List.of("Tesla T4", "Tesla V100"));
        ResourceProbe.Report r = ResourceProbe.report(twoGpus, config().attributes(Map.of("rack", "r1")).build());
        assertEquals(2, r.total().getGpus());
        assertEquals(Map.of("rack", "r1", ResourceProbe.GPU_MODEL, "Tesla T4"), r.attributes());

        assertEquals(1, ResourceProbe.report(twoGpus, config().reserveGpus(1).build()).total().getGpus());
        assertEquals(4, ResourceProbe.report(twoGpus, config().gpus(4).build()).total().getGpus());
        assertEquals(Map.of(ResourceProbe.GPU_MODEL, "mine"),
                ResourceProbe.report(twoGpus, config().attributes(Map.of(ResourceProbe.GPU_MODEL, "mine")).build()).attributes());

        ResourceProbe.Report none = ResourceProbe.report(twoGpus, config().gpus(0).build());
        assertEquals(0, none.total().getGpus());
        assertEquals(Map.of(), none.attributes(), "no GPUs offered, no model");
        ResourceProbe.Report overriddenWithoutCards = ResourceProbe.report(MACHINE, config().gpus(1).build());
        assertEquals(1, overriddenWithoutCards.total().getGpus());
        assertEquals(Map.of(), overriddenWithoutCards.attributes(), "no card named, no model");
    }

    @Test
    void probeAsksTheConfiguredNvidiaSmi(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        ResourceProbe.Report two = ResourceProbe.probe(AgentConfig.builder("b:1", dir).hostname("h")
                .nvidiaSmiCommand(NvidiaSmiTest.twoGpus(bin).toString()).build());
        assertEquals(2, two.total().getGpus());
        assertEquals("NVIDIA A100-SXM4-40GB", two.attributes().get(ResourceProbe.GPU_MODEL));

        ResourceProbe.Report failing = ResourceProbe.probe(AgentConfig.builder("b:1", dir).hostname("h")
                .nvidiaSmiCommand(NvidiaSmiTest.standIn(bin, "exit 9").toString()).build());
        assertEquals(0, failing.total().getGpus());
        assertFalse(failing.attributes().containsKey(ResourceProbe.GPU_MODEL));

        ResourceProbe.Report missing = ResourceProbe.probe(AgentConfig.builder("b:1", dir).hostname("h")
                .nvidiaSmiCommand(dir.resolve("missing").toString()).build());
        assertEquals(0, missing.total().getGpus());
    }

    @Test
    void measuresThisMachine(@TempDir Path dir) {
        ResourceProbe.Measured m = ResourceProbe.measure(dir, new NvidiaSmi("drover-no-such-command", NvidiaSmi.DEFAULT_TIMEOUT));
        assertTrue(m.cpus() >= 1, () -> "cpus " + m.cpus());
        assertTrue(m.memMb() > 0, () -> "memMb " + m.memMb());
        assertTrue(m.diskMb() > 0, () -> "diskMb " + m.diskMb());
        assertTrue(m.freeDiskMb() <= m.diskMb(), () -> "freeDiskMb " + m.freeDiskMb());
        Resources r = ResourceProbe.probe(AgentConfig.builder("b:1", dir).hostname("h").reserveMemMb(1).build()).total();
        assertEquals(m.memMb() - 1, r.getMemMb());
    }
}
