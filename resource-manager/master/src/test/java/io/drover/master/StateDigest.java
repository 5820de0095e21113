package io.drover.master;

import io.drover.master.state.MasterState;
import io.drover.master.state.TaskEntry;
import java.util.Map;
import java.util.TreeMap;

/** A canonical text of a master's whole state, so tests can compare two states (replay, recovery, simulation). */
public final class StateDigest {
    public static String of(MasterState s) {
        StringBuilder sb = new StringBuilder("epoch=" + s.epoch() + " master=" + s.activeMasterId() + "\n");
        s.agents().forEach((k, v) -> sb.append(k).append(v).append('\n'));
        sb.append("unreachable=").append(s.unreachable()).append('\n');
        s.frameworks().forEach((k, v) -> sb.append(k).append(v).append('\n'));
        s.offers().forEach((k, v) -> sb.append(k).append(v).append('\n'));
        s.executors().forEach((k, v) -> sb.append(k).append(v).append('\n'));
        for (String fw : new java.util.TreeSet<>(s.frameworks().keySet())) {
            sb.append("allocated ").append(fw).append(' ').append(s.allocatedTo(fw)).append('\n');
        }
        for (Map.Entry<String, TaskEntry> e : s.tasks().entrySet()) {
            sb.append(e.getKey()).append(e.getValue().task()).append(e.getValue().latest()).append('\n');
        }
        sb.append(new TreeMap<>(s.inputPositions()));
        return sb.toString();
    }

    private StateDigest() {}
}
