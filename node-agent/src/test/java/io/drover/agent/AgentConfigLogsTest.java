package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AgentConfigLogsTest {
    private static AgentConfig.Builder builder() {
        return AgentConfig.builder("localhost:9092", Path.of("/tmp/drover-test")).hostname("h");
    }

    @Test
    void defaults() {
        AgentConfig c = builder().build();
        assertEquals(10L * 1024 * 1024, c.logMaxBytes());
        assertEquals(5, c.logMaxFiles());
        assertEquals("0.0.0.0:5051", c.httpListen());
        assertEquals(7L * 24 * 3600 * 1000, c.sandboxMaxAgeMs());
        assertEquals(10, c.sandboxMinFreeDiskPercent());
        assertEquals("", builder().httpListen("").build().httpListen());
        assertEquals(new HttpListen("::1", 0), HttpListen.parse("[::1]:0"));
    }

    @Test
    void checks() {
        assertThrows(IllegalArgumentException.class, () -> builder().logMaxBytes(10).build());
        assertThrows(IllegalArgumentException.class, () -> builder().logMaxFiles(-1).build());
        assertThrows(IllegalArgumentException.class, () -> builder().httpListen("nohostport").build());
        assertThrows(IllegalArgumentException.class, () -> builder().httpListen("h:70000").build());
        assertThrows(IllegalArgumentException.class, () -> builder().sandboxMinFreeDiskPercent(101).build());
        assertThrows(IllegalArgumentException.class, () -> builder().sandboxMaxAgeMs(-1).build());
    }
}
