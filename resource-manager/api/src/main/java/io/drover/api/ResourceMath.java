package io.drover.api;

import io.drover.api.protocol.Resources;
import java.util.List;

/** Arithmetic on resource bundles (ports are not counted yet). */
public final class ResourceMath {
    /** Tolerance for CPU fractions, so that 0.1 + 0.2 fits in 0.3. */
    private static final double EPSILON = 1e-9;

    public static Resources of(double cpus, long memMb, long diskMb, int gpus) {
        return Resources.newBuilder().setCpus(cpus).setMemMb(memMb).setDiskMb(diskMb).setGpus(gpus).setPorts(List.of()).build();
    }

    public static Resources zero() {
        return of(0, 0, 0, 0);
    }

    public static Resources add(Resources a, Resources b) {
        return of(a.getCpus() + b.getCpus(), a.getMemMb() + b.getMemMb(), a.getDiskMb() + b.getDiskMb(), a.getGpus() + b.getGpus());
    }

    /** a - b, never below zero. */
    public static Resources subtract(Resources a, Resources b) {
        return of(Math.max(0, a.getCpus() - b.getCpus()), Math.max(0, a.getMemMb() - b.getMemMb()),
                Math.max(0, a.getDiskMb() - b.getDiskMb()), Math.max(0, a.getGpus() - b.getGpus()));
    }

    /** True when {@code need} fits in {@code have} in every dimension. */
    public static boolean fits(Resources need, Resources have) {
        return need.getCpus() <= have.getCpus() + EPSILON && need.getMemMb() <= have.getMemMb()
                && need.getDiskMb() <= have.getDiskMb() && need.getGpus() <= have.getGpus();
    }

    /** True when there is nothing worth offering: no CPU time and no memory. */
    public static boolean isEmpty(Resources r) {
        return r.getCpus() < 0.01 || r.getMemMb() < 1;
    }

    /** A short human form, such as "cpus=0.5 mem=64MiB disk=0MiB gpus=0". */
    public static String format(Resources r) {
        return String.format("cpus=%s mem=%dMiB disk=%dMiB gpus=%d",
                trim(r.getCpus()), r.getMemMb(), r.getDiskMb(), r.getGpus());
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format("%.2f", d);
    }

    private ResourceMath() {}
}
