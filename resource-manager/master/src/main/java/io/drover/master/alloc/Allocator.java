package io.drover.master.alloc;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Resources;
import io.drover.master.state.MasterState;
import io.drover.master.state.TaskEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * Decides which framework gets each agent's free resources. A pure function of the state, the
 * filters, the suppressed frameworks and the time: it returns decisions and changes nothing.
 *
 * <p>Order: the framework with the lowest dominant share (its largest fraction of the cluster's
 * CPUs or memory, counting running tasks and outstanding offers) goes first, ties broken by
 * framework id. Each agent's whole free remainder goes to one framework; that framework's share
 * grows, and the next agent goes to whoever is then lowest. Weighted DRF across roles, quotas and
 * reservations come with the full allocator.
 */
public final class Allocator {
    /** Offer {@code resources} of {@code agentId} to {@code frameworkId}. */
    public record Decision(String frameworkId, String agentId, Resources resources) {}

    private static final class Share {
        final String frameworkId;
        double cpus;
        double memMb;
        double dominant;
        int tieBreak;

        Share(String frameworkId) {
            this.frameworkId = frameworkId;
        }
    }

    private final Random random;

    public Allocator(Random random) {
        this.random = random;
    }

    /** One allocation pass over every agent. */
    public List<Decision> allocate(MasterState state, OfferFilters filters, Set<String> suppressed, long nowMs) {
        List<Decision> decisions = new ArrayList<>();
        Map<String, Share> shares = new HashMap<>();
        for (String fw : state.frameworks().keySet()) {
            if (!suppressed.contains(fw)) {
                shares.put(fw, new Share(fw));
            }
        }
        if (shares.isEmpty()) {
            return decisions;
        }
        double totalCpus = 0;
        double totalMem = 0;
        for (AgentAdded a : state.agents().values()) {
            totalCpus += a.getTotal().getCpus();
            totalMem += a.getTotal().getMemMb();
        }
        for (TaskEntry t : state.tasks().values()) {
            Share s = shares.get(t.frameworkId());
            if (s != null && !t.isTerminal()) {
                s.cpus += t.task().getResources().getCpus();
                s.memMb += t.task().getResources().getMemMb();
            }
        }
        for (Offer o : state.offers().values()) {
            Share s = shares.get(o.getFrameworkId());
            if (s != null) {
                s.cpus += o.getResources().getCpus();
                s.memMb += o.getResources().getMemMb();
            }
        }
        double cpuTotal = Math.max(totalCpus, 1e-9);
        double memTotal = Math.max(totalMem, 1e-9);
        for (String fw : new java.util.TreeSet<>(shares.keySet())) {
            Share s = shares.get(fw);
            s.dominant = Math.max(s.cpus / cpuTotal, s.memMb / memTotal);
            s.tieBreak = random.nextInt();
        }
        Comparator<Share> order = Comparator.<Share>comparingDouble(s -> s.dominant)
                .thenComparingInt(s -> s.tieBreak).thenComparing(s -> s.frameworkId);
        PriorityQueue<Share> queue = new PriorityQueue<>(order);
        queue.addAll(shares.values());
        List<Share> skipped = new ArrayList<>();
        for (String agentId : state.agents().keySet()) {
            Resources free = state.freeOn(agentId);
            if (ResourceMath.isEmpty(free)) {
                continue;
            }
            Share chosen = null;
            while (!queue.isEmpty()) {
                Share candidate = queue.poll();
                skipped.add(candidate);
                if (!filters.isFiltered(candidate.frameworkId, agentId, free, nowMs)) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen != null) {
                decisions.add(new Decision(chosen.frameworkId, agentId, free));
                chosen.cpus += free.getCpus();
                chosen.memMb += free.getMemMb();
                chosen.dominant = Math.max(chosen.cpus / cpuTotal, chosen.memMb / memTotal);
            }
            queue.addAll(skipped);
            skipped.clear();
        }
        return decisions;
    }
}
