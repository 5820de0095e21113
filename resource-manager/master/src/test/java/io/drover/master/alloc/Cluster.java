package io.drover.master.alloc;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.OfferRemoved;
import io.drover.api.protocol.OfferEndCause;
import io.drover.api.protocol.PortRange;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskInfo;
import io.drover.master.state.MasterState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-written cluster for allocator tests: it builds a {@link MasterState} the way the log
 * would (through {@code apply}), and turns decisions into outstanding offers.
 */
final class Cluster {
    final MasterState state = new MasterState();
    private int offers;
    private int tasks;

    static Resources res(double cpus, long memMb) {
        return ResourceMath.of(cpus, memMb, 0, 0);
    }

    static Resources res(double cpus, long memMb, int portBegin, int portEnd) {
        return ResourceMath.of(cpus, memMb, 0, 0, List.of(new PortRange(portBegin, portEnd)));
    }

    Cluster agent(String id, Resources total) {
        return agent(id, total, Map.of());
    }

    Cluster agent(String id, Resources total, Map<String, Resources> reservations) {
        state.apply(AgentAdded.newBuilder().setAgentId(id).setHostname("host-" + id).setTotal(total)
                .setCommandPartition(0).setRegisteredAtMs(0).setReservations(new HashMap<>(reservations)).build());
        return this;
    }

    Cluster framework(String id, String role) {
        state.apply(FrameworkAdded.newBuilder().setFrameworkId(id).setName(id).setUser("").setRole(role)
                .setPrincipal(id).setFailoverTimeoutMs(0).setSubscribedAtMs(0).build());
        return this;
    }

    /** A running task of {@code frameworkId} on {@code agentId}. */
    Cluster task(String frameworkId, String agentId, Resources r) {
        String id = "t" + (tasks++);
        state.apply(TaskAdded.newBuilder().setFrameworkId(frameworkId).setTask(TaskInfo.newBuilder().setTaskId(id)
                .setName(id).setAgentId(agentId).setResources(r)
                .setCommand(CommandInfo.newBuilder().setArguments(List.of("true")).build()).build()).build());
        return this;
    }

    /** Makes each decision an outstanding offer, as the master would. */
    void offer(List<Allocator.Decision> decisions) {
        for (Allocator.Decision d : decisions) {
            state.apply(OfferMade.newBuilder().setOffer(Offer.newBuilder().setOfferId("o" + (offers++))
                    .setFrameworkId(d.frameworkId()).setAgentId(d.agentId()).setHostname("h")
                    .setResources(d.resources()).setExpiresAtMs(Long.MAX_VALUE).build()).build());
        }
    }

    /** Ends every outstanding offer (declined). */
    void clearOffers() {
        for (String id : List.copyOf(state.offers().keySet())) {
            state.apply(OfferRemoved.newBuilder().setOfferId(id).setCause(OfferEndCause.DECLINED).build());
        }
    }
}
