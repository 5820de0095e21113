package io.drover.master.alloc;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How the allocator treats one role.
 *
 * @param weight the role's weight in the fair order among roles, finite and above zero; a role
 *     of weight 2 is entitled to twice the dominant share of a role of weight 1
 * @param guarantee the quota guarantee: while a role holds less than this in some kind
 *     (cpus, memMb, diskMb, gpus), it goes ahead of every role that does not; zero for none
 * @param limit the quota limit: the role is never offered more than this in total, counting
 *     what its frameworks hold (tasks and outstanding offers); {@link #UNLIMITED} for none.
 *     Ports are not limited.
 */
public record RoleConfig(double weight, Resources guarantee, Resources limit) {
    /** A limit that never binds. */
    public static final Resources UNLIMITED = ResourceMath.of(Double.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);

    /** Weight 1, no guarantee, no limit: every role that is not configured. */
    public static final RoleConfig DEFAULT = new RoleConfig(1, ResourceMath.zero(), UNLIMITED);

    public RoleConfig {
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(limit, "limit");
    }

    /** A role of {@code weight} without quota. */
    public static RoleConfig weighted(double weight) {
        return new RoleConfig(weight, ResourceMath.zero(), UNLIMITED);
    }

    public RoleConfig withGuarantee(Resources r) {
        return new RoleConfig(weight, r, limit);
    }

    public RoleConfig withLimit(Resources r) {
        return new RoleConfig(weight, guarantee, r);
    }

    /** True when a limit is set in any kind. */
    public boolean isLimited() {
        return !limit.equals(UNLIMITED);
    }

    /** True when a guarantee is set in any kind. */
    public boolean hasGuarantee() {
        return guarantee.getCpus() > 0 || guarantee.getMemMb() > 0 || guarantee.getDiskMb() > 0 || guarantee.getGpus() > 0;
    }

    /** The problems with this role's settings, each naming {@code role}; empty when valid. */
    List<String> errors(String role) {
        List<String> errors = new ArrayList<>();
        if (!(weight > 0) || Double.isInfinite(weight)) {
            errors.add("role " + role + ": weight must be finite and above 0, was " + weight);
        }
        for (Resources r : List.of(guarantee, limit)) {
            if (!(r.getCpus() >= 0) || r.getMemMb() < 0 || r.getDiskMb() < 0 || r.getGpus() < 0) {
                errors.add("role " + role + ": quota must not be negative: " + ResourceMath.format(r));
            }
            if (!r.getPorts().isEmpty()) {
                errors.add("role " + role + ": quota does not take ports");
            }
        }
        if (!ResourceMath.fits(ResourceMath.of(guarantee.getCpus(), guarantee.getMemMb(), guarantee.getDiskMb(), guarantee.getGpus()),
                ResourceMath.of(limit.getCpus(), limit.getMemMb(), limit.getDiskMb(), limit.getGpus()))) {
            errors.add("role " + role + ": guarantee " + ResourceMath.format(guarantee) + " exceeds limit " + ResourceMath.format(limit));
        }
        return errors;
    }
}
