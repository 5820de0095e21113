package io.drover.master.handler;

import io.drover.master.alloc.OfferFilters;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the master keeps in memory only, never in its log: agents' last heartbeats, offer
 * filters, suppressed frameworks, and counters. A new master starts it empty; frameworks and
 * agents refill it as they talk. It outlives a reload of the replicated state after a failed
 * transaction, so offer ids never repeat within an epoch.
 */
public final class SoftState {
    final OfferFilters filters = new OfferFilters();
    final Set<String> suppressed = new HashSet<>();
    final Map<String, Long> agentLastSeenMs = new HashMap<>();
    final Map<String, Long> frameworkLastSeenMs = new HashMap<>();
    /** Frameworks silent past three heartbeat intervals: offered nothing until they call again. */
    final Set<String> disconnected = new HashSet<>();
    /** Set when something changed that may let the allocator offer more. */
    boolean allocationNeeded = true;
    /**
     * Set when a change concerns every agent (a framework subscribed or revived), so the next
     * pass must walk them all rather than only those whose free resources changed.
     */
    boolean fullAllocationNeeded = true;
    long nextAllocationMs;
    long nextFrameworkHeartbeatMs;
    long offerSequence;

    public boolean isSuppressed(String frameworkId) {
        return suppressed.contains(frameworkId);
    }

    /** Frameworks that get no offers now: suppressed or disconnected. */
    Set<String> notOffered() {
        if (disconnected.isEmpty()) {
            return suppressed;
        }
        Set<String> both = new HashSet<>(suppressed);
        both.addAll(disconnected);
        return both;
    }

    public boolean isDisconnected(String frameworkId) {
        return disconnected.contains(frameworkId);
    }

    public Long agentLastSeenMs(String agentId) {
        return agentLastSeenMs.get(agentId);
    }
}
