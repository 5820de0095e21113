package io.drover.agent;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.PortRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The agent's port ranges: parsing {@code 31000-32000[,40000-40100]} and the rules they must keep. */
public final class PortRanges {
    public static final int MIN_PORT = 1;
    public static final int MAX_PORT = 65_535;
    /** Most ranges one agent may offer. */
    public static final int MAX_RANGES = 1_024;

    /**
     * The ranges in {@code text}: comma-separated {@code BEGIN-END} (inclusive) or single ports;
     * blank means none. The result is {@link #checked checked}.
     *
     * @throws IllegalArgumentException naming the part that is not a range, or the rule broken
     */
    public static List<PortRange> parse(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_RANGES) {
            throw new IllegalArgumentException("ports: at most " + MAX_RANGES + " ranges are allowed, got " + parts.length);
        }
        List<PortRange> ranges = new ArrayList<>(parts.length);
        for (String raw : parts) {
            String part = raw.strip();
            int dash = part.indexOf('-', 1);
            try {
                ranges.add(dash < 0
                        ? new PortRange(Integer.parseInt(part), Integer.parseInt(part))
                        : new PortRange(Integer.parseInt(part.substring(0, dash).strip()), Integer.parseInt(part.substring(dash + 1).strip())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ports: '" + part + "' is not a port range: use BEGIN-END or a single port, as in 31000-32000");
            }
        }
        return checked(ranges);
    }

    /**
     * The ranges, checked and normalized (sorted; adjacent ranges merged): each within [1, 65535]
     * with begin <= end, no two overlapping, at most {@link #MAX_RANGES}.
     *
     * @throws IllegalArgumentException naming the first range that breaks a rule
     */
    public static List<PortRange> checked(List<PortRange> ranges) {
        if (ranges == null) {
            throw new IllegalArgumentException("ports must not be null (use an empty list)");
        }
        if (ranges.size() > MAX_RANGES) {
            throw new IllegalArgumentException("ports: at most " + MAX_RANGES + " ranges are allowed, got " + ranges.size());
        }
        List<PortRange> sorted = new ArrayList<>(ranges.size());
        for (PortRange r : ranges) {
            if (r == null) {
                throw new IllegalArgumentException("ports must not contain null ranges");
            }
            if (r.getBegin() < MIN_PORT || r.getEnd() > MAX_PORT || r.getBegin() > r.getEnd()) {
                throw new IllegalArgumentException("ports: range " + format(r) + " must lie within [" + MIN_PORT + ", " + MAX_PORT
                        + "] with begin <= end");
            }
            sorted.add(PortRange.newBuilder(r).build());
        }
        sorted.sort(Comparator.comparingInt(PortRange::getBegin));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).getBegin() <= sorted.get(i - 1).getEnd()) {
                throw new IllegalArgumentException("ports: ranges " + format(sorted.get(i - 1)) + " and " + format(sorted.get(i)) + " overlap");
            }
        }
        return List.copyOf(ResourceMath.normalize(sorted));
    }

    static String format(PortRange r) {
        return r.getBegin() + "-" + r.getEnd();
    }

    private PortRanges() {}
}
