package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ExecutorConfigTest {
    @Test
    void eachBoundIsCheckedWithItsName() {
        assertEquals("maxExecutors must be in [1, 1000], was 0",
                assertThrows(IllegalArgumentException.class, () -> ExecutorConfig.DEFAULTS.withMaxExecutors(0)).getMessage());
        assertEquals("executorHeartbeatTimeoutMs must be in [2000, 3600000], was 1500",
                assertThrows(IllegalArgumentException.class, () -> ExecutorConfig.DEFAULTS.withHeartbeat(1_000, 1_500)).getMessage());
        assertEquals("executorHeartbeatIntervalMs must be in [10, 3600000], was 5",
                assertThrows(IllegalArgumentException.class, () -> ExecutorConfig.DEFAULTS.withHeartbeat(5, 1_000)).getMessage());
        assertEquals("executorIdleTimeoutMs must be in [0, 86400000], was -1",
                assertThrows(IllegalArgumentException.class, () -> ExecutorConfig.DEFAULTS.withIdleTimeoutMs(-1)).getMessage());
        assertEquals(ExecutorConfig.DEFAULTS, AgentConfig.builder("localhost:9092", java.nio.file.Path.of("w")).build().executors());
    }
}
