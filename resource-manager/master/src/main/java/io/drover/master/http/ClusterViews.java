package io.drover.master.http;

import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Resources;
import io.drover.master.handler.SoftState;
import io.drover.master.state.MasterState;
import io.drover.master.state.TaskEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds a {@link ClusterView} from the master's state; runs on the master's thread only. */
public final class ClusterViews {
    /** The view of {@code state} now. O(agents + frameworks + tasks + offers). */
    public static ClusterView build(MasterState state, SoftState soft, String masterId, boolean active, long nowMs,
            long logOffset) {
        Map<String, double[]> usedByAgent = new HashMap<>();
        Map<String, double[]> offeredByAgent = new HashMap<>();
        Map<String, double[]> allocByFramework = new HashMap<>();
        Map<String, Integer> tasksByAgent = new HashMap<>();
        Map<String, Integer> activeByFramework = new HashMap<>();
        Map<String, Integer> offersByFramework = new HashMap<>();
        Map<String, Integer> tasksByState = new TreeMap<>();
        List<ClusterView.Task> tasks = new ArrayList<>();
        for (TaskEntry t : state.tasks().values()) {
            String agentId = t.task().getAgentId();
            tasksByState.merge(t.state().name(), 1, Integer::sum);
            tasks.add(new ClusterView.Task(t.frameworkId(), t.task().getTaskId(), t.task().getName(), agentId,
                    t.state().name(), t.latest().getReason().name(), t.latest().getMessage(),
                    amount(t.task().getResources()), t.latest().getTimestampMs()));
            if (!t.isTerminal()) {
                add(usedByAgent, agentId, t.task().getResources());
                add(allocByFramework, t.frameworkId(), t.task().getResources());
                tasksByAgent.merge(agentId, 1, Integer::sum);
                activeByFramework.merge(t.frameworkId(), 1, Integer::sum);
            }
        }
        for (TaskEntry t : state.recentlyFinished()) {
            tasksByState.merge(t.state().name(), 1, Integer::sum);
            tasks.add(new ClusterView.Task(t.frameworkId(), t.task().getTaskId(), t.task().getName(), t.task().getAgentId(),
                    t.state().name(), t.latest().getReason().name(), t.latest().getMessage(),
                    amount(t.task().getResources()), t.latest().getTimestampMs()));
        }
        for (Offer o : state.offers().values()) {
            add(offeredByAgent, o.getAgentId(), o.getResources());
            add(allocByFramework, o.getFrameworkId(), o.getResources());
            offersByFramework.merge(o.getFrameworkId(), 1, Integer::sum);
        }
        double[] total = new double[4];
        double[] used = new double[4];
        double[] offered = new double[4];
        List<ClusterView.Agent> agents = new ArrayList<>();
        for (AgentAdded a : state.agents().values()) {
            double[] u = usedByAgent.getOrDefault(a.getAgentId(), new double[4]);
            double[] o = offeredByAgent.getOrDefault(a.getAgentId(), new double[4]);
            accumulate(total, a.getTotal());
            accumulate(used, u);
            accumulate(offered, o);
            String agentState = state.isUnreachable(a.getAgentId()) ? "UNREACHABLE"
                    : state.drain(a.getAgentId()) == io.drover.api.protocol.DrainState.NONE ? "ACTIVE"
                    : state.drain(a.getAgentId()).name();
            agents.add(new ClusterView.Agent(a.getAgentId(), a.getHostname(), agentState, Map.copyOf(a.getAttributes()),
                    amount(a.getTotal()), amount(u), amount(o), tasksByAgent.getOrDefault(a.getAgentId(), 0),
                    a.getRegisteredAtMs(), soft.agentLastSeenMs(a.getAgentId()), a.getHttpAddress()));
        }
        List<ClusterView.Framework> frameworks = new ArrayList<>();
        Map<String, double[]> allocByRole = new TreeMap<>();
        Map<String, List<String>> frameworksByRole = new TreeMap<>();
        for (FrameworkAdded f : state.frameworks().values()) {
            double[] alloc = allocByFramework.getOrDefault(f.getFrameworkId(), new double[4]);
            frameworks.add(new ClusterView.Framework(f.getFrameworkId(), f.getName(), f.getRole(), f.getPrincipal(),
                    f.getUser(), f.getSubscribedAtMs(), f.getFailoverTimeoutMs(), amount(alloc), dominantShare(alloc, total),
                    activeByFramework.getOrDefault(f.getFrameworkId(), 0), offersByFramework.getOrDefault(f.getFrameworkId(), 0),
                    soft.isSuppressed(f.getFrameworkId())));
            accumulate(allocByRole.computeIfAbsent(f.getRole(), k -> new double[4]), alloc);
            frameworksByRole.computeIfAbsent(f.getRole(), k -> new ArrayList<>()).add(f.getFrameworkId());
        }
        List<ClusterView.Role> roles = new ArrayList<>();
        allocByRole.forEach((role, alloc) -> roles.add(new ClusterView.Role(role, amount(alloc), dominantShare(alloc, total),
                List.copyOf(frameworksByRole.get(role)))));
        ClusterView.Totals totals = new ClusterView.Totals(agents.size(), frameworks.size(), tasks.size(),
                amount(total), amount(used), amount(offered));
        return new ClusterView(new ClusterView.Master(masterId, state.epoch(), active, nowMs, logOffset), totals,
                List.copyOf(agents), List.copyOf(frameworks), List.copyOf(tasks), List.copyOf(roles), Map.copyOf(tasksByState));
    }

    /** The largest fraction of the cluster's CPUs, memory, disk or GPUs that {@code alloc} holds. */
    static double dominantShare(double[] alloc, double[] total) {
        double share = 0;
        for (int i = 0; i < 4; i++) {
            if (total[i] > 0) {
                share = Math.max(share, alloc[i] / total[i]);
            }
        }
        return share;
    }

    private static void add(Map<String, double[]> sums, String key, Resources r) {
        accumulate(sums.computeIfAbsent(key, k -> new double[4]), r);
    }

    private static void accumulate(double[] sum, Resources r) {
        sum[0] += r.getCpus();
        sum[1] += r.getMemMb();
        sum[2] += r.getDiskMb();
        sum[3] += r.getGpus();
    }

    private static void accumulate(double[] sum, double[] r) {
        for (int i = 0; i < 4; i++) {
            sum[i] += r[i];
        }
    }

    private static ClusterView.Amount amount(Resources r) {
        return new ClusterView.Amount(r.getCpus(), r.getMemMb(), r.getDiskMb(), r.getGpus());
    }

    private static ClusterView.Amount amount(double[] r) {
        return new ClusterView.Amount(r[0], (long) r[1], (long) r[2], (int) r[3]);
    }

    private ClusterViews() {}
}
