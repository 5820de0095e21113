package io.drover.agent;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;

/**
 * Measures what this machine has and turns it into the total an agent reports: the measured
 * values, replaced by the config's overrides where given, minus the config's reserve, never
 * below zero. GPUs and ports are not reported yet (always 0 and none).
 *
 * <p>OSHI reports the host's CPUs and memory, not a container's limits; operators running an
 * agent inside a limited container should set the overrides.
 */
public final class ResourceProbe {
    private static final long MIB = 1024L * 1024;

    /** What the machine has before overrides and reserve. */
    public record Measured(double cpus, long memMb, long diskMb) {}

    /**
     * Measures the machine (OSHI for CPUs and memory, the work directory's file store for disk)
     * and applies the config's overrides and reserve.
     *
     * @throws UncheckedIOException when the work directory's file store cannot be read (the
     *     directory must exist)
     */
    public static Resources probe(AgentConfig config) {
        return applyOverridesAndReserve(measure(config.workDir()), config);
    }

    /** What this machine has: logical CPUs, total memory, total size of the dir's file store. */
    public static Measured measure(Path workDir) {
        HardwareAbstractionLayer hardware = new SystemInfo().getHardware();
        int cpus = hardware.getProcessor().getLogicalProcessorCount();
        long memMb = hardware.getMemory().getTotal() / MIB;
        long diskMb;
        try {
            diskMb = Files.getFileStore(workDir).getTotalSpace() / MIB;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the file store of work dir " + workDir, e);
        }
        return new Measured(cpus, memMb, diskMb);
    }

    /**
     * The total to report: each measured value, or its override when the config has one, minus
     * the reserve, clamped at zero. A pure function.
     */
    public static Resources applyOverridesAndReserve(Measured measured, AgentConfig config) {
        double cpus = config.cpusOverride().orElse(measured.cpus());
        long memMb = config.memOverrideMb().orElse(measured.memMb());
        long diskMb = config.diskOverrideMb().orElse(measured.diskMb());
        return ResourceMath.subtract(
                ResourceMath.of(cpus, memMb, diskMb, 0),
                ResourceMath.of(config.reserveCpus(), config.reserveMemMb(), config.reserveDiskMb(), 0));
    }

    private ResourceProbe() {}
}
