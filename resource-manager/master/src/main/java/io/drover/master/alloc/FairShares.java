package io.drover.master.alloc;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.Resources;
import io.drover.master.state.MasterState;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * One pass's view of who deserves what: the roles in fair order, the frameworks of each role
 * in fair order, and what each role holds against its quota. Built from the state's running
 * totals in O(frameworks log frameworks); every grant updates it in O(log frameworks).
 */
final class FairShares {
    private final AllocationConfig config;
    private final Sorter roleSorter;
    private final Map<String, Sorter> frameworkSorters = new HashMap<>();
    private final Map<String, Resources> consumed = new HashMap<>();
    private final Map<String, String> roleOf = new HashMap<>();
    private int rolesBelowGuarantee;

    /**
     * @param suppressed frameworks that get nothing; what they hold still counts for their role
     */
    FairShares(AllocationConfig config, MasterState state, Set<String> suppressed, Random random) {
        this.config = config;
        Resources total = state.clusterTotal();
        this.roleSorter = config.newSorter(total, random);
        Map<String, Sorter> byRole = new TreeMap<>();
        for (FrameworkAdded fw : state.frameworks().values()) {
            String role = roleOf(fw);
            String id = fw.getFrameworkId();
            roleOf.put(id, role);
            Resources held = state.allocatedTo(id);
            consumed.merge(role, held, FairShares::addScalars);
            if (!suppressed.contains(id)) {
                byRole.computeIfAbsent(role, r -> config.newSorter(total, random)).add(id, 1, held);
            }
        }
        for (Map.Entry<String, Sorter> e : byRole.entrySet()) {
            String role = e.getKey();
            frameworkSorters.put(role, e.getValue());
            roleSorter.add(role, config.role(role).weight(), consumed.get(role));
            if (belowGuarantee(role)) {
                rolesBelowGuarantee++;
            }
        }
    }

    /** The role a framework subscribed with; "*" when it named none. */
    static String roleOf(FrameworkAdded fw) {
        String role = fw.getRole();
        return role == null || role.isEmpty() ? AllocationConfig.DEFAULT_ROLE : role;
    }

    /** The role of a subscribed framework, or null for one that is gone. */
    String roleOfFramework(String frameworkId) {
        return roleOf.get(frameworkId);
    }

    /** True when no framework may be offered anything. */
    boolean isEmpty() {
        return roleSorter.size() == 0;
    }

    /** True when some role with frameworks to offer to is below its guarantee. */
    boolean anyBelowGuarantee() {
        return rolesBelowGuarantee > 0;
    }

    /** Roles with at least one framework to offer to, most deserving first. */
    Iterator<String> roles() {
        return roleSorter.order();
    }

    /** True when {@code role} has a framework to offer to. */
    boolean hasRole(String role) {
        return frameworkSorters.containsKey(role);
    }

    /** The frameworks of {@code role} that may be offered resources, most deserving first. */
    Iterator<String> frameworks(String role) {
        Sorter s = frameworkSorters.get(role);
        return s == null ? Collections.emptyIterator() : s.order();
    }

    /** True while the role holds less than its guarantee in some kind. */
    boolean belowGuarantee(String role) {
        RoleConfig rc = config.role(role);
        if (!rc.hasGuarantee()) {
            return false;
        }
        Resources held = consumed.getOrDefault(role, ResourceMath.zero());
        Resources g = rc.guarantee();
        return held.getCpus() < g.getCpus() || held.getMemMb() < g.getMemMb()
                || held.getDiskMb() < g.getDiskMb() || held.getGpus() < g.getGpus();
    }

    /**
     * The part of {@code piece} that {@code role} may still be given under its limit: the scalars
     * capped at limit minus what it holds; ports are not limited.
     */
    Resources cap(String role, Resources piece) {
        RoleConfig rc = config.role(role);
        if (!rc.isLimited()) {
            return piece;
        }
        Resources head = ResourceMath.subtract(rc.limit(), consumed.getOrDefault(role, ResourceMath.zero()));
        return new Resources(Math.min(piece.getCpus(), head.getCpus()), Math.min(piece.getMemMb(), head.getMemMb()),
                Math.min(piece.getDiskMb(), head.getDiskMb()), Math.min(piece.getGpus(), head.getGpus()), piece.getPorts());
    }

    /** a + b without ports: quotas and shares do not count ports, and their union would only grow. */
    private static Resources addScalars(Resources a, Resources b) {
        return ResourceMath.of(a.getCpus() + b.getCpus(), a.getMemMb() + b.getMemMb(), a.getDiskMb() + b.getDiskMb(),
                a.getGpus() + b.getGpus());
    }

    /** Records a grant: both orders and the role's quota account move. */
    void granted(String role, String frameworkId, Resources r) {
        boolean wasBelow = belowGuarantee(role);
        consumed.merge(role, r, FairShares::addScalars);
        if (wasBelow && !belowGuarantee(role)) {
            rolesBelowGuarantee--;
        }
        roleSorter.allocated(role, r);
        frameworkSorters.get(role).allocated(frameworkId, r);
    }
}
