package io.drover.agent;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oshi.SystemInfo;
import oshi.hardware.GraphicsCard;
import oshi.hardware.HardwareAbstractionLayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures what this machine has and turns it into what an agent reports: the measured values,
 * replaced by the config's overrides where given, minus the config's reserve, never below zero,
 * plus the config's attributes and what the agent learns about its hardware ({@value #GPU_MODEL}).
 *
 * <p>OSHI reports the host's CPUs and memory, not a container's limits; operators running an
 * agent inside a limited container should set the overrides.
 */
public final class ResourceProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceProbe.class);
    private static final long MIB = 1024L * 1024;
    /** The attribute naming the first GPU's model, present when the agent reports GPUs. */
    public static final String GPU_MODEL = "gpu.model";

    /**
     * What the machine has before overrides and reserve.
     *
     * @param diskMb the size of the work directory's file store
     * @param freeDiskMb the part of it still free (for this process), at most {@code diskMb}
     * @param gpuModels the name of each GPU nvidia-smi lists, in its order; empty when none
     */
    public record Measured(double cpus, long memMb, long diskMb, long freeDiskMb, List<String> gpuModels) {
        public Measured {
            freeDiskMb = Math.max(0, Math.min(freeDiskMb, diskMb));
            gpuModels = List.copyOf(gpuModels);
        }

        /** A machine with an empty disk. */
        public Measured(double cpus, long memMb, long diskMb, List<String> gpuModels) {
            this(cpus, memMb, diskMb, diskMb, gpuModels);
        }

        /** A machine with an empty disk and no GPUs. */
        public Measured(double cpus, long memMb, long diskMb) {
            this(cpus, memMb, diskMb, diskMb, List.of());
        }
    }

    /** What an agent reports in RegisterAgent: its total and its attributes. */
    public record Report(Resources total, Map<String, String> attributes) {
        public Report {
            total = Resources.newBuilder(total).build();
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }
    }

    /**
     * Measures the machine (see {@link #measure(Path, NvidiaSmi)}) and applies the config.
     *
     * @throws UncheckedIOException when the work directory's file store cannot be read (the
     *     directory must exist)
     */
    public static Report probe(AgentConfig config) {
        return report(measure(config.workDir(), new NvidiaSmi(config.nvidiaSmiCommand(), NvidiaSmi.DEFAULT_TIMEOUT)), config);
    }

    /**
     * What this machine has: logical CPUs and total memory (OSHI), the total and usable size of
     * the work directory's file store, and the GPUs {@code nvidiaSmi} lists (none when it fails).
     *
     * @throws UncheckedIOException when the work directory's file store cannot be read
     */
    static Measured measure(Path workDir, NvidiaSmi nvidiaSmi) {
        HardwareAbstractionLayer hardware = new SystemInfo().getHardware();
        int cpus = hardware.getProcessor().getLogicalProcessorCount();
        long memMb = hardware.getMemory().getTotal() / MIB;
        long diskMb;
        long freeDiskMb;
        try {
            FileStore store = Files.getFileStore(workDir);
            diskMb = store.getTotalSpace() / MIB;
            freeDiskMb = store.getUsableSpace() / MIB;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the file store of work dir " + workDir, e);
        }
        List<String> gpus = nvidiaSmi.gpus().stream().map(NvidiaSmiParser.Gpu::name).toList();
        return new Measured(cpus, memMb, diskMb, freeDiskMb, gpus);
    }

    /**
     * Logs the graphics cards OSHI sees, for an operator comparing them with what nvidia-smi
     * lists (OSHI cannot tell which cards can run tasks, so it does not decide the GPU count).
     */
    static void logGraphicsCards() {
        try {
            List<GraphicsCard> cards = new SystemInfo().getHardware().getGraphicsCards();
            if (cards.isEmpty()) {
                LOG.info("OSHI sees no graphics cards");
            }
            for (GraphicsCard card : cards) {
                LOG.info("OSHI sees graphics card '{}' by '{}' with {} MiB", card.getName(), card.getVendor(), card.getVRam() / MIB);
            }
        } catch (RuntimeException e) {
            LOG.warn("OSHI cannot list the graphics cards: {}", e.toString());
        }
    }

    /**
     * The total to report with no tasks running; see {@link #report(Measured, AgentConfig, long)}.
     */
    public static Resources applyOverridesAndReserve(Measured measured, AgentConfig config) {
        return report(measured, config).total();
    }

    /** What to report with no tasks running; see {@link #report(Measured, AgentConfig, long)}. */
    public static Report report(Measured measured, AgentConfig config) {
        return report(measured, config, 0);
    }

    /**
     * What to report. The total: each measured value, or its override when the config has one,
     * minus the reserve, clamped at zero, and the config's port ranges. The measured disk is
     * {@link #usableDiskMb what this agent may fill}. The attributes: the config's, with
     * {@value #GPU_MODEL} (the first GPU's name) added when the total has GPUs and nvidia-smi
     * named one, unless the config sets that attribute itself. A pure function.
     *
     * @param allocatedDiskMb the disk given to the tasks running now, all together
     */
    public static Report report(Measured measured, AgentConfig config, long allocatedDiskMb) {
        double cpus = config.cpusOverride().orElse(measured.cpus());
        long memMb = config.memOverrideMb().orElse(measured.memMb());
        long diskMb = config.diskOverrideMb().isPresent() ? config.diskOverrideMb().getAsLong() : usableDiskMb(measured, allocatedDiskMb);
        int gpus = config.gpusOverride().orElse(measured.gpuModels().size());
        Resources total = ResourceMath.subtract(
                ResourceMath.of(cpus, memMb, diskMb, gpus, config.ports()),
                ResourceMath.of(config.reserveCpus(), config.reserveMemMb(), config.reserveDiskMb(), config.reserveGpus()));
        Map<String, String> attributes = new LinkedHashMap<>(config.attributes());
        if (total.getGpus() > 0 && !measured.gpuModels().isEmpty()) {
            attributes.putIfAbsent(GPU_MODEL, measured.gpuModels().get(0));
        }
        return new Report(total, attributes);
    }

    /**
     * The disk this agent may fill: what is free plus what its running tasks were given (their
     * sandboxes count against their own share, which the master keeps allocated), at most the
     * file store's size. So when something else fills the disk the total shrinks, and what the
     * master can offer is what is free. Rounded down to 1% of the file store, so that the small
     * changes of a busy disk do not make the agent register again at every measurement.
     */
    static long usableDiskMb(Measured measured, long allocatedDiskMb) {
        long size = measured.diskMb();
        long usable = Math.min(size, measured.freeDiskMb() + Math.max(0, allocatedDiskMb));
        if (usable == size) {
            return size;
        }
        long quantum = Math.max(1, size / 100);
        return usable / quantum * quantum;
    }

    private ResourceProbe() {}
}
