package io.drover.api;

import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Arithmetic on resource bundles: the scalars (cpus, memMb, diskMb, gpus) and the port ranges.
 *
 * <p>Port ranges are inclusive. Every result of this class holds its ranges normalized: sorted by
 * begin, disjoint and not adjacent (so [1-3] and [4-5] become [1-5]). Inputs may be in any order
 * and may overlap. Scalars never go below zero.
 */
public final class ResourceMath {
    static {
        io.drover.api.codec.ProtocolTrust.ensure();
    }

    /** Tolerance for CPU fractions, so that 0.1 + 0.2 fits in 0.3. */
    private static final double EPSILON = 1e-9;

    public static Resources of(double cpus, long memMb, long diskMb, int gpus) {
        return new Resources(cpus, memMb, diskMb, gpus, List.of());
    }

    /** A bundle with port ranges; {@code ports} is normalized. */
    public static Resources of(double cpus, long memMb, long diskMb, int gpus, List<PortRange> ports) {
        return new Resources(cpus, memMb, diskMb, gpus, normalize(ports));
    }

    public static Resources zero() {
        return of(0, 0, 0, 0);
    }

    /** a + b; the port ranges are united. */
    public static Resources add(Resources a, Resources b) {
        return new Resources(a.getCpus() + b.getCpus(), a.getMemMb() + b.getMemMb(), a.getDiskMb() + b.getDiskMb(),
                a.getGpus() + b.getGpus(), addRanges(a.getPorts(), b.getPorts()));
    }

    /** a - b, never below zero; the ports of b are taken out of a's. */
    public static Resources subtract(Resources a, Resources b) {
        return new Resources(Math.max(0, a.getCpus() - b.getCpus()), Math.max(0, a.getMemMb() - b.getMemMb()),
                Math.max(0, a.getDiskMb() - b.getDiskMb()), Math.max(0, a.getGpus() - b.getGpus()),
                subtractRanges(a.getPorts(), b.getPorts()));
    }

    /** The smaller of a and b in every scalar, and the ports both have. */
    public static Resources min(Resources a, Resources b) {
        return new Resources(Math.min(a.getCpus(), b.getCpus()), Math.min(a.getMemMb(), b.getMemMb()),
                Math.min(a.getDiskMb(), b.getDiskMb()), Math.min(a.getGpus(), b.getGpus()),
                intersectRanges(a.getPorts(), b.getPorts()));
    }

    /** True when {@code need} fits in {@code have} in every scalar and every port of need is in have. */
    public static boolean fits(Resources need, Resources have) {
        return need.getCpus() <= have.getCpus() + EPSILON && need.getMemMb() <= have.getMemMb()
                && need.getDiskMb() <= have.getDiskMb() && need.getGpus() <= have.getGpus()
                && rangesFit(need.getPorts(), have.getPorts());
    }

    /** True when there is nothing worth offering: no CPU time and no memory (ports alone are not). */
    public static boolean isEmpty(Resources r) {
        return r.getCpus() < 0.01 || r.getMemMb() < 1;
    }

    /** Sorted, disjoint, non-adjacent ranges covering exactly the ports of {@code ranges}. */
    public static List<PortRange> normalize(List<PortRange> ranges) {
        if (ranges.isEmpty()) {
            return List.of();
        }
        if (isNormalized(ranges)) {
            return ranges;
        }
        List<PortRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(PortRange::getBegin));
        List<PortRange> out = new ArrayList<>(sorted.size());
        int begin = sorted.get(0).getBegin();
        int end = sorted.get(0).getEnd();
        for (int i = 1; i < sorted.size(); i++) {
            PortRange r = sorted.get(i);
            if ((long) r.getBegin() <= (long) end + 1) {
                end = Math.max(end, r.getEnd());
            } else {
                out.add(new PortRange(begin, end));
                begin = r.getBegin();
                end = r.getEnd();
            }
        }
        out.add(new PortRange(begin, end));
        return out;
    }

    private static boolean isNormalized(List<PortRange> ranges) {
        for (int i = 1; i < ranges.size(); i++) {
            if ((long) ranges.get(i).getBegin() <= (long) ranges.get(i - 1).getEnd() + 1) {
                return false;
            }
        }
        return true;
    }

    /** The union of two range lists, normalized. */
    public static List<PortRange> addRanges(List<PortRange> a, List<PortRange> b) {
        if (b.isEmpty()) {
            return normalize(a);
        }
        if (a.isEmpty()) {
            return normalize(b);
        }
        List<PortRange> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return normalize(all);
    }

    /** The ports of {@code a} that are not in {@code b}, normalized. */
    public static List<PortRange> subtractRanges(List<PortRange> a, List<PortRange> b) {
        List<PortRange> left = normalize(a);
        if (left.isEmpty() || b.isEmpty()) {
            return left;
        }
        List<PortRange> minus = normalize(b);
        List<PortRange> out = new ArrayList<>();
        int j = 0;
        for (PortRange r : left) {
            long begin = r.getBegin();
            long end = r.getEnd();
            while (j < minus.size() && minus.get(j).getEnd() < begin) {
                j++;
            }
            int k = j;
            while (begin <= end && k < minus.size() && minus.get(k).getBegin() <= end) {
                PortRange m = minus.get(k);
                if (m.getBegin() > begin) {
                    out.add(new PortRange((int) begin, m.getBegin() - 1));
                }
                begin = Math.max(begin, (long) m.getEnd() + 1);
                k++;
            }
            if (begin <= end) {
                out.add(new PortRange((int) begin, (int) end));
            }
        }
        return out;
    }

    /** The ports in both lists, normalized. */
    public static List<PortRange> intersectRanges(List<PortRange> a, List<PortRange> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return List.of();
        }
        return subtractRanges(a, subtractRanges(a, b));
    }

    /** True when every port of {@code need} is in {@code have}. */
    public static boolean rangesFit(List<PortRange> need, List<PortRange> have) {
        return need.isEmpty() || subtractRanges(need, have).isEmpty();
    }

    /** How many ports the ranges hold (overlaps counted once). */
    public static long portCount(List<PortRange> ranges) {
        long n = 0;
        for (PortRange r : normalize(ranges)) {
            n += (long) r.getEnd() - r.getBegin() + 1;
        }
        return n;
    }

    /** A short human form, such as "cpus=0.5 mem=64MiB disk=0MiB gpus=0 ports=[31000-31009]". */
    public static String format(Resources r) {
        String scalars = String.format("cpus=%s mem=%dMiB disk=%dMiB gpus=%d",
                trim(r.getCpus()), r.getMemMb(), r.getDiskMb(), r.getGpus());
        if (r.getPorts().isEmpty()) {
            return scalars;
        }
        StringBuilder s = new StringBuilder(scalars).append(" ports=[");
        for (int i = 0; i < r.getPorts().size(); i++) {
            PortRange p = r.getPorts().get(i);
            s.append(i == 0 ? "" : ",").append(p.getBegin());
            if (p.getEnd() != p.getBegin()) {
                s.append('-').append(p.getEnd());
            }
        }
        return s.append(']').toString();
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format("%.2f", d);
    }

    private ResourceMath() {}
}
