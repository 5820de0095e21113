package io.drover.job.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The executor JVM's heap (from its memory charges) and compiler options. */
class ExecutorOptionsTest {
    private final JobServiceConfig defaults = JobServiceConfig.defaults("localhost:9092", Path.of("state"));

    @Test
    void theHeapLeavesAQuarterOfALargeExecutorToTheJvm() {
        // 768 MiB for the executor and 256 MiB for its first task: a quarter of 1 GiB is 256 MiB.
        assertEquals(768, JobService.executorHeapMb(defaults));
    }

    @Test
    void theHeapLeavesAtLeast128MibOfASmallExecutorToTheJvm() {
        assertEquals(64, JobService.executorHeapMb(defaults.withExecutorMemMb(64).withTaskMemMb(128)));
        assertEquals(48, JobService.executorHeapMb(defaults.withExecutorMemMb(64).withTaskMemMb(0)), "never below 48 MiB");
    }

    @Test
    void executorsUseTheQuickCompilerUnlessTold() {
        assertEquals(List.of("-Xmx768m", "-XX:TieredStopAtLevel=1"), JobService.executorHeapAndCompiler(defaults));
        assertEquals(List.of("-Xmx768m"), JobService.executorHeapAndCompiler(defaults.withExecutorQuickCompiler(false)));
    }
}
