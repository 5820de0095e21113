package io.drover.master.alloc;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.Resources;
import io.drover.master.state.MasterState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Decides which frameworks get agents' free resources: weighted DRF between roles and between
 * the frameworks of a role, quota guarantees first, quota limits never passed, static
 * reservations only to their role, offer filters and suppression respected. A pure function of
 * the state, the filters, the suppressed frameworks, the time and the random source: it returns
 * decisions and changes nothing (see README.md in this package for the pipeline).
 *
 * <p>Cost of a pass over n agents with f frameworks: O(f log f) to build the order, then
 * O(log f) per agent offered (plus one step for each framework skipped because a filter covers
 * the agent). It never walks agents times frameworks.
 */
public final class Allocator {
    /** Offer {@code resources} of {@code agentId} to {@code frameworkId}. */
    public record Decision(String frameworkId, String agentId, Resources resources) {}

    private final AllocationConfig config;
    private final Random random;

    /**
     * @param config the validated roles, weights and quotas
     * @param random breaks ties in the fair order (and draws the random order)
     */
    public Allocator(AllocationConfig config, Random random) {
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A pass over every agent. */
    public List<Decision> allocate(MasterState state, OfferFilters filters, Set<String> suppressed, long nowMs) {
        return allocate(state, filters, suppressed, nowMs, state.agents().keySet());
    }

    /**
     * A pass over the given agents only (those whose free resources changed), in the order given;
     * ids of agents that are gone are skipped. At most one decision per framework and agent.
     */
    public List<Decision> allocate(MasterState state, OfferFilters filters, Set<String> suppressed, long nowMs,
            Collection<String> agentIds) {
        List<Decision> decisions = new ArrayList<>();
        FairShares shares = new FairShares(config, state, suppressed, random);
        if (shares.isEmpty()) {
            return decisions;
        }
        Pass pass = new Pass(shares, filters, nowMs);
        for (String agentId : agentIds) {
            if (!state.agents().containsKey(agentId)) {
                continue;
            }
            AgentFree free = AgentFree.of(state, agentId, shares::roleOfFramework);
            pass.offerAgent(agentId, free, decisions);
        }
        return decisions;
    }

    /** The walk of one pass: pieces of an agent to candidates in fair order. */
    private static final class Pass {
        private final FairShares shares;
        private final OfferFilters filters;
        private final long nowMs;
        private final Map<String, Resources> grants = new LinkedHashMap<>();
        private final Set<String> served = new HashSet<>();

        Pass(FairShares shares, OfferFilters filters, long nowMs) {
            this.shares = shares;
            this.filters = filters;
            this.nowMs = nowMs;
        }

        void offerAgent(String agentId, AgentFree free, List<Decision> decisions) {
            grants.clear();
            for (Map.Entry<String, Resources> e : free.reserved().entrySet()) {
                if (shares.hasRole(e.getKey())) {
                    offerPiece(agentId, e.getValue(), e.getKey());
                }
            }
            offerPiece(agentId, free.unreserved(), null);
            grants.forEach((fw, r) -> decisions.add(new Decision(fw, agentId, r)));
        }

        /** Offers one piece to frameworks of {@code onlyRole}, or of any role when it is null. */
        private void offerPiece(String agentId, Resources piece, String onlyRole) {
            served.clear();
            while (!ResourceMath.isEmpty(piece)) {
                Grant g = onlyRole != null ? inRole(agentId, piece, onlyRole)
                        : shares.anyBelowGuarantee() ? anyRole(agentId, piece, true) : null;
                if (g == null) {
                    g = onlyRole != null ? null : anyRole(agentId, piece, false);
                }
                if (g == null) {
                    return;
                }
                served.add(g.frameworkId);
                shares.granted(g.role, g.frameworkId, g.resources);
                grants.merge(g.frameworkId, g.resources, ResourceMath::add);
                piece = ResourceMath.subtract(piece, g.resources);
            }
        }

        private Grant anyRole(String agentId, Resources piece, boolean belowGuaranteeOnly) {
            for (Iterator<String> roles = shares.roles(); roles.hasNext(); ) {
                String role = roles.next();
                if (belowGuaranteeOnly && !shares.belowGuarantee(role)) {
                    continue;
                }
                Grant g = inRole(agentId, piece, role);
                if (g != null) {
                    return g;
                }
            }
            return null;
        }

        private Grant inRole(String agentId, Resources piece, String role) {
            Resources portion = shares.cap(role, piece);
            if (ResourceMath.isEmpty(portion)) {
                return null;
            }
            for (Iterator<String> fws = shares.frameworks(role); fws.hasNext(); ) {
                String fw = fws.next();
                if (!served.contains(fw) && !filters.isFiltered(fw, agentId, portion, nowMs)) {
                    return new Grant(role, fw, portion);
                }
            }
            return null;
        }
    }

    private record Grant(String role, String frameworkId, Resources resources) {}
}
