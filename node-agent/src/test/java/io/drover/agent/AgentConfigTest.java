package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.PortRange;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
    private static final Path DIR = Path.of("/tmp/drover-agent-config-test");

    @Test
    void defaults() {
        AgentConfig c = AgentConfig.builder("localhost:9092", DIR).build();
        assertEquals(0, c.reserveCpus());
        assertEquals(0, c.reserveMemMb());
        assertEquals(0, c.reserveDiskMb());
        assertEquals(3_000, c.killGracePeriodMs());
        assertEquals(500, c.registerRetryInitialMs());
        assertEquals(5_000, c.registerRetryMaxMs());
        assertEquals(1_000, c.statusRetryInitialMs());
        assertEquals(30_000, c.statusRetryMaxMs());
        assertEquals(100_000, c.maxPendingUpdates());
        assertFalse(c.agentIdOverride().isPresent());
        assertFalse(c.cpusOverride().isPresent());
        assertFalse(c.gpusOverride().isPresent());
        assertEquals(0, c.reserveGpus());
        assertEquals("nvidia-smi", c.nvidiaSmiCommand());
        assertEquals(List.of(new PortRange(31_000, 32_000)), c.ports());
        assertEquals(30_000, c.probeIntervalMs());
        assertFalse(c.hostname().isBlank());
        assertTrue(c.workDir().isAbsolute());
    }

    @Test
    void builderRoundTrips() {
        AgentConfig c = AgentConfig.builder("b:1", DIR).agentId("a-1").cpus(2.5).memMb(100).diskMb(7).gpus(2).reserveGpus(1).nvidiaSmiCommand("/opt/nv/nvidia-smi").probeIntervalMs(5_000)
                .ports(List.of(new PortRange(40_000, 40_010))).reserveCpus(0.5)
                .attributes(Map.of("rack", "r1")).hostname("h").heartbeatIntervalMs(10).build();
        assertEquals(c, c.toBuilder().build());
        assertEquals(2.5, c.cpusOverride().getAsDouble());
        assertEquals("a-1", c.agentIdOverride().orElseThrow());
        assertEquals(Map.of("rack", "r1"), c.attributes());
    }

    @Test
    void rejectsBadValuesNamingTheSetting() {
        assertMessage("bootstrap", b -> AgentConfig.builder(" ", DIR));
        assertMessage("workDir", b -> AgentConfig.builder("b:1", null));
        assertMessage("agent id 'a/b'", b -> b.agentId("a/b"));
        assertMessage("cpusOverride must be a finite number >= 0, was -1.0", b -> b.cpus(-1));
        assertMessage("cpusOverride", b -> b.cpus(Double.NaN));
        assertMessage("memOverrideMb must be >= 0, was -5", b -> b.memMb(-5));
        assertMessage("reserveCpus", b -> b.reserveCpus(-0.1));
        assertMessage("reserveMemMb must be >= 0, was -1", b -> b.reserveMemMb(-1));
        assertMessage("reserveDiskMb", b -> b.reserveDiskMb(-1));
        assertMessage("heartbeatIntervalMs must be in [1, ", b -> b.heartbeatIntervalMs(0));
        assertMessage("killGracePeriodMs", b -> b.killGracePeriodMs(-1));
        assertMessage("registerRetryMaxMs must be in [500, ", b -> b.registerRetryMaxMs(100));
        assertMessage("statusRetryMaxMs", b -> b.statusRetryInitialMs(10).statusRetryMaxMs(5));
        assertMessage("maxPendingUpdates", b -> b.maxPendingUpdates(0));
        assertMessage("maxRunningTasks", b -> b.maxRunningTasks(0));
        assertMessage("hostname", b -> b.hostname(" "));
        assertMessage("gpusOverride must be >= 0, was -1", b -> b.gpus(-1));
        assertMessage("reserveGpus must be >= 0, was -2", b -> b.reserveGpus(-2));
        assertMessage("nvidiaSmiCommand must be a command name or path", b -> b.nvidiaSmiCommand(" "));
        assertMessage("nvidiaSmiCommand", b -> b.nvidiaSmiCommand(null));
        assertMessage("ports: range 0-10 must lie within [1, 65535]", b -> b.ports(List.of(new PortRange(0, 10))));
        assertMessage("ports: ranges 10-20 and 20-30 overlap", b -> b.ports(List.of(new PortRange(20, 30), new PortRange(10, 20))));
        assertMessage("ports must not be null", b -> b.ports(null));
        assertMessage("probeIntervalMs must be in [1000, 86400000] ms, was 999", b -> b.probeIntervalMs(999));
        assertMessage("probeIntervalMs", b -> b.probeIntervalMs(AgentConfig.MAX_DURATION_MS + 1));
        assertMessage("nvidiaSmiCommand", b -> b.nvidiaSmiCommand("nvidia-smi\n"));
        assertMessage("attribute keys", b -> b.attributes(Map.of(" ", "x")));
        assertMessage("isolation must be one of auto, cgroups, monitor", b -> b.isolation(null));
        assertMessage("memoryCheckIntervalMs must be in [50, 86400000] ms, was 49", b -> b.memoryCheckIntervalMs(49));
    }

    @Test
    void isolationDefaultsToAutoAndSurvivesToBuilder() {
        AgentConfig c = AgentConfig.builder("localhost:9092", DIR).build();
        assertEquals(AgentConfig.Isolation.AUTO, c.isolation());
        assertEquals(AgentConfig.DEFAULT_MEMORY_CHECK_INTERVAL_MS, c.memoryCheckIntervalMs());
        AgentConfig m = c.toBuilder().isolation(AgentConfig.Isolation.MONITOR).memoryCheckIntervalMs(100).build();
        assertEquals(m, m.toBuilder().build());
        assertEquals(AgentConfig.Isolation.MONITOR, m.isolation());
        assertEquals(100, m.memoryCheckIntervalMs());
    }

    @Test
    void fetchLimitsHaveDefaultsChecksAndSurviveToBuilder() {
        AgentConfig c = AgentConfig.builder("localhost:9092", DIR).build();
        assertEquals(1L << 30, c.fetchMaxFileBytes());
        assertEquals(2L << 30, c.fetchCacheMaxBytes());
        AgentConfig f = c.toBuilder().fetchMaxFileBytes(10).fetchCacheMaxBytes(0).build();
        assertEquals(f, f.toBuilder().build());
        assertMessage("fetchMaxFileBytes must be in [1, 1099511627776], was 0", b -> b.fetchMaxFileBytes(0));
        assertMessage("fetchCacheMaxBytes must be in [0, 1099511627776], was -1", b -> b.fetchCacheMaxBytes(-1));
    }

    private static void assertMessage(String expected, UnaryOperator<AgentConfig.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.apply(AgentConfig.builder("localhost:9092", DIR)).build());
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
