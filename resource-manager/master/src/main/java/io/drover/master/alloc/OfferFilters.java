package io.drover.master.alloc;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.Resources;
import java.util.HashMap;
import java.util.Map;

/**
 * Offer filters, as in Mesos: when a framework declines an offer (or leaves part of it unused)
 * with refuse_seconds, the master does not offer it those resources of that agent again until
 * the filter expires or the framework revives. An offer holding more than was refused (because
 * something else was freed) is not filtered. Soft state: a new master starts without filters,
 * which only means a framework may see an offer early.
 */
public final class OfferFilters {
    private record Filter(long untilMs, Resources refused) {}

    /** Framework id to agent id to its filter. */
    private final Map<String, Map<String, Filter>> filters = new HashMap<>();

    /** Filters {@code refused} of {@code agentId} for {@code frameworkId} until {@code untilMs}. */
    public void add(String frameworkId, String agentId, Resources refused, long untilMs) {
        filters.computeIfAbsent(frameworkId, k -> new HashMap<>()).put(agentId, new Filter(untilMs, refused));
    }

    /** True while a filter in force at {@code nowMs} covers all of {@code free}. */
    public boolean isFiltered(String frameworkId, String agentId, Resources free, long nowMs) {
        Map<String, Filter> byAgent = filters.get(frameworkId);
        Filter filter = byAgent == null ? null : byAgent.get(agentId);
        if (filter == null) {
            return false;
        }
        if (filter.untilMs() <= nowMs) {
            byAgent.remove(agentId);
            return false;
        }
        return ResourceMath.fits(free, filter.refused());
    }

    /** Removes every filter of a framework (REVIVE, or the framework is gone). */
    public void clear(String frameworkId) {
        filters.remove(frameworkId);
    }

    /** Drops every filter that has ended by {@code nowMs}. */
    public void expire(long nowMs) {
        filters.values().forEach(byAgent -> byAgent.values().removeIf(f -> f.untilMs() <= nowMs));
        filters.values().removeIf(Map::isEmpty);
    }

    /** The earliest time any filter ends, or Long.MAX_VALUE when there is none. */
    public long nextExpiryMs() {
        long next = Long.MAX_VALUE;
        for (Map<String, Filter> byAgent : filters.values()) {
            for (Filter f : byAgent.values()) {
                next = Math.min(next, f.untilMs());
            }
        }
        return next;
    }
}
