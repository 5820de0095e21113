package io.drover.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JavaExecutorCommandTest {
    @Test
    void javaThenOptionsThenChronicleFlagsThenClassPathAndMain() {
        List<String> argv = JavaExecutorCommand.argv(Path.of("/opt/jdk"), List.of("-Xmx128m"), "a.jar:b.jar", "x.Main");
        List<String> expected = new ArrayList<>(List.of("/opt/jdk/bin/java", "-Xmx128m"));
        expected.addAll(ChronicleFlags.JVM_ARGS);
        expected.addAll(List.of("-cp", "a.jar:b.jar", "x.Main"));
        assertEquals(expected, argv);
        assertEquals("a Java executor needs a class path and a main class",
                assertThrows(IllegalArgumentException.class, () -> JavaExecutorCommand.argv(Path.of("/j"), List.of(), "cp", " ")).getMessage());
    }
}
