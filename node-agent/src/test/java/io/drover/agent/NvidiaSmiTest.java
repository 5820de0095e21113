package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nvidia-smi run as a real process: stand-in scripts play it. */
class NvidiaSmiTest {
    @TempDir
    Path dir;

    /** Writes an executable shell script standing in for nvidia-smi and returns its path. */
    static Path standIn(Path dir, String body) throws IOException {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** A stand-in that lists two GPUs, if it was asked the query the agent sends. */
    static Path twoGpus(Path dir) throws IOException {
        return standIn(dir, """
                [ "$1" = "--query-gpu=index,name,memory.total" ] && [ "$2" = "--format=csv,noheader,nounits" ] || exit 3
                echo '0, NVIDIA A100-SXM4-40GB, 40960'
                echo '1, NVIDIA A100-SXM4-40GB, 40960'""");
    }

    private List<NvidiaSmiParser.Gpu> run(Path command, Duration timeout) {
        return new NvidiaSmi(command.toString(), timeout).gpus();
    }

    @Test
    void listsTheGpusTheCommandPrints() throws Exception {
        assertEquals(List.of(new NvidiaSmiParser.Gpu(0, "NVIDIA A100-SXM4-40GB", 40960), new NvidiaSmiParser.Gpu(1, "NVIDIA A100-SXM4-40GB", 40960)),
                run(twoGpus(dir), NvidiaSmi.DEFAULT_TIMEOUT));
    }

    @Test
    void aFailingCommandMeansNoGpus() throws Exception {
        assertEquals(List.of(), run(standIn(dir, "echo '0, Tesla T4, 15360'; exit 9"), NvidiaSmi.DEFAULT_TIMEOUT));
    }

    @Test
    void garbageMeansNoGpus() throws Exception {
        assertEquals(List.of(), run(standIn(dir, "echo 'NVIDIA-SMI has failed because it could not communicate with the driver'"),
                NvidiaSmi.DEFAULT_TIMEOUT));
    }

    @Test
    void tooMuchOutputMeansNoGpus() throws Exception {
        assertEquals(List.of(), run(standIn(dir, "yes '0, Tesla T4, 15360' | head -c 200000"), NvidiaSmi.DEFAULT_TIMEOUT));
    }

    @Test
    void aMissingCommandMeansNoGpus() {
        assertEquals(List.of(), run(dir.resolve("no-such-nvidia-smi"), NvidiaSmi.DEFAULT_TIMEOUT));
        assertEquals(List.of(), new NvidiaSmi("drover-no-such-command-on-the-path", NvidiaSmi.DEFAULT_TIMEOUT).gpus());
    }

    @Test
    void aHangingCommandIsKilledAtTheTimeout() throws Exception {
        Path hangs = standIn(dir, "sleep 60");
        List<NvidiaSmiParser.Gpu> gpus = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> run(hangs, Duration.ofMillis(200)));
        assertEquals(List.of(), gpus);
    }
}
