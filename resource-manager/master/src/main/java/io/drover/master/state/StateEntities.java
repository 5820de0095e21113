package io.drover.master.state;

import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.AgentDrainChanged;
import io.drover.api.protocol.DrainState;
import io.drover.api.protocol.AgentUnreachable;
import io.drover.api.protocol.ExecutorAdded;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.MasterElected;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskStatusChanged;
import java.util.ArrayList;
import java.util.List;

/**
 * The state as log events that rebuild it: an agent is its AgentAdded, a task its TaskAdded and
 * latest TaskStatusChanged, and so on. RocksDB stores each entity this way, and a snapshot in the
 * master log is all of them, so loading either is replay.
 */
public final class StateEntities {
    /** The events that rebuild the entity under {@code key} (see {@link Keys}), or null when it is gone. */
    public static List<Object> events(MasterState state, String key) {
        if (key.equals(Keys.META)) {
            return List.of(MasterElected.newBuilder().setEpoch(state.epoch()).setMasterId(state.activeMasterId()).build());
        } else if (key.startsWith(Keys.AGENT)) {
            String id = key.substring(Keys.AGENT.length());
            AgentAdded a = state.agents().get(id);
            if (a == null) {
                return null;
            }
            List<Object> events = new ArrayList<>();
            events.add(a);
            Long since = state.unreachable().get(id);
            if (since != null) {
                events.add(AgentUnreachable.newBuilder().setAgentId(id).setReason("unreachable").setSinceMs(since).build());
            }
            DrainState drain = state.drain(id);
            if (drain != DrainState.NONE) {
                events.add(AgentDrainChanged.newBuilder().setAgentId(id).setDrain(drain).build());
            }
            return events;
        } else if (key.startsWith(Keys.FRAMEWORK)) {
            FrameworkAdded f = state.frameworks().get(key.substring(Keys.FRAMEWORK.length()));
            return f == null ? null : List.of(f);
        } else if (key.startsWith(Keys.OFFER)) {
            Offer o = state.offers().get(key.substring(Keys.OFFER.length()));
            return o == null ? null : List.of(OfferMade.newBuilder().setOffer(o).build());
        } else if (key.startsWith(Keys.EXECUTOR)) {
            ExecutorAdded x = state.executors().get(key);
            return x == null ? null : List.of(x);
        } else if (key.startsWith(Keys.TASK)) {
            TaskEntry t = state.tasks().get(key);
            return t == null ? null : List.of(
                    TaskAdded.newBuilder().setFrameworkId(t.frameworkId()).setTask(t.task()).build(),
                    TaskStatusChanged.newBuilder().setStatus(t.latest()).build());
        }
        throw new IllegalArgumentException("unknown state key " + key);
    }

    /** Every entity's events, the epoch first: a snapshot's body. */
    public static List<Object> all(MasterState state) {
        List<Object> events = new ArrayList<>(events(state, Keys.META));
        state.agents().keySet().forEach(id -> events.addAll(events(state, Keys.agent(id))));
        state.frameworks().keySet().forEach(id -> events.addAll(events(state, Keys.framework(id))));
        state.offers().keySet().forEach(id -> events.addAll(events(state, Keys.offer(id))));
        state.executors().keySet().forEach(key -> events.addAll(events(state, key)));
        state.tasks().keySet().forEach(key -> events.addAll(events(state, key)));
        return events;
    }

    /** How many entities a snapshot of the state holds. */
    public static long count(MasterState state) {
        return state.agents().size() + state.frameworks().size() + state.offers().size() + state.executors().size()
                + state.tasks().size();
    }

    private StateEntities() {}
}
