package io.drover.master.alloc;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Resources;
import io.drover.master.state.MasterState;
import io.drover.master.state.TaskEntry;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * An agent's free resources split by who may have them: per role, what is left of that role's
 * static reservation; and the unreserved rest, for any role.
 *
 * <p>What a role's frameworks hold on the agent (tasks and offers) counts against its
 * reservation first, and only the excess against the unreserved part. Each piece is capped by
 * what is actually free, so a reservation larger than the agent never offers more than it has.
 *
 * @param reserved role to the free part of its reservation, by role name; empty pieces left out
 * @param unreserved the free part no reservation holds
 */
record AgentFree(Map<String, Resources> reserved, Resources unreserved) {

    /**
     * @param roleOf the role of a framework id, or null for a framework that is gone
     */
    static AgentFree of(MasterState state, String agentId, Function<String, String> roleOf) {
        AgentAdded agent = state.agents().get(agentId);
        Resources free = state.freeOn(agentId);
        if (agent == null || agent.getReservations().isEmpty()) {
            return new AgentFree(Map.of(), free);
        }
        Map<String, Resources> heldByRole = new TreeMap<>();
        for (TaskEntry t : state.tasksOn(agentId)) {
            if (!t.isTerminal()) {
                hold(heldByRole, roleOf.apply(t.frameworkId()), t.task().getResources());
            }
        }
        for (Offer o : state.offersOn(agentId)) {
            hold(heldByRole, roleOf.apply(o.getFrameworkId()), o.getResources());
        }
        for (var x : state.executorsOn(agentId)) {
            hold(heldByRole, roleOf.apply(x.getFrameworkId()), x.getResources());
        }
        Map<String, Resources> reserved = new TreeMap<>();
        Resources unreserved = free;
        for (Map.Entry<String, Resources> e : new TreeMap<>(agent.getReservations()).entrySet()) {
            Resources left = ResourceMath.subtract(e.getValue(), heldByRole.getOrDefault(e.getKey(), ResourceMath.zero()));
            left = ResourceMath.min(left, unreserved);
            unreserved = ResourceMath.subtract(unreserved, left);
            if (!ResourceMath.isEmpty(left)) {
                reserved.put(e.getKey(), left);
            }
        }
        return new AgentFree(reserved, unreserved);
    }

    private static void hold(Map<String, Resources> heldByRole, String role, Resources r) {
        if (role != null) {
            heldByRole.merge(role, r, ResourceMath::add);
        }
    }
}
