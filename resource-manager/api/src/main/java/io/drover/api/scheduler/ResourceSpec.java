package io.drover.api.scheduler;

/**
 * An amount of resources, as a framework sees it.
 *
 * @param cpus logical CPUs, fractions allowed, never negative
 * @param memMb memory in MiB
 * @param diskMb disk in MiB
 * @param gpus whole GPUs
 */
public record ResourceSpec(double cpus, long memMb, long diskMb, int gpus) {
    public ResourceSpec {
        if (cpus < 0 || memMb < 0 || diskMb < 0 || gpus < 0 || Double.isNaN(cpus)) {
            throw new IllegalArgumentException("resources must not be negative: cpus=" + cpus + " mem=" + memMb
                    + " disk=" + diskMb + " gpus=" + gpus);
        }
    }

    /** True when {@code this} fits in {@code other} in every dimension. */
    public boolean fitsIn(ResourceSpec other) {
        return cpus <= other.cpus + 1e-9 && memMb <= other.memMb && diskMb <= other.diskMb && gpus <= other.gpus;
    }

    @Override
    public String toString() {
        String c = cpus == Math.rint(cpus) ? Long.toString((long) cpus) : String.format("%.2f", cpus);
        return "cpus=" + c + " mem=" + memMb + "MiB disk=" + diskMb + "MiB gpus=" + gpus;
    }
}
