package io.drover.master.state;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.AgentDrainChanged;
import io.drover.api.protocol.AgentReachable;
import io.drover.api.protocol.DrainState;
import io.drover.api.protocol.AgentRemoved;
import io.drover.api.protocol.AgentUnreachable;
import io.drover.api.protocol.ExecutorAdded;
import io.drover.api.protocol.ExecutorRemoved;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.FrameworkRemoved;
import io.drover.api.protocol.MasterElected;
import io.drover.api.protocol.MasterHeartbeat;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.OfferRemoved;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.SnapshotCompleted;
import io.drover.api.protocol.SnapshotStarted;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskRemoved;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusChanged;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The master's replicated state: agents, frameworks, outstanding offers, tasks, the epoch and
 * the input positions. {@link #replay} is the only way it changes, and it is deterministic: the
 * same records in the same order always build the same state. Sorted maps keep iteration
 * order independent of hashing, so decisions made from this state are reproducible too.
 *
 * <p>Every change marks the entity's key dirty, so that {@link StateStore} writes only what
 * changed. Not thread-safe: one thread owns it.
 */
public final class MasterState {
    static {
        io.drover.api.codec.ProtocolTrust.ensure();
    }

    private long epoch;
    private String activeMasterId = "";
    private final Map<String, AgentAdded> agents = new TreeMap<>();
    /** Agents in maintenance: DRAINING (no offers, tasks finishing) or DRAINED (none left). */
    private final Map<String, DrainState> drains = new TreeMap<>();
    /** Agents that stopped heartbeating, with when (master's clock) they were declared so. */
    private final Map<String, Long> unreachable = new TreeMap<>();
    private final Map<String, FrameworkAdded> frameworks = new TreeMap<>();
    private final Map<String, Offer> offers = new TreeMap<>();
    private final Map<String, TaskEntry> tasks = new TreeMap<>();
    // Per agent, sorted by key like the main maps, holding the entries themselves so that the
    // allocator's per-agent reads need no lookups.
    private final Map<String, Map<String, TaskEntry>> tasksByAgent = new HashMap<>();
    private final Map<String, Map<String, Offer>> offersByAgent = new HashMap<>();
    private final Map<String, Long> inputPositions = new TreeMap<>();
    /** Executors charged, by {@link Keys#executor}; sorted, so one agent's are a contiguous range. */
    private final TreeMap<String, ExecutorAdded> executors = new TreeMap<>();
    /**
     * The last tasks forgotten (terminal and acknowledged), newest first, for people asking
     * about a task that just ended. Informational: not stored in RocksDB or snapshots, so a
     * master that loaded its state has only those removed since.
     */
    private final java.util.Deque<TaskEntry> finished = new java.util.ArrayDeque<>();
    public static final int MAX_FINISHED = 1_000;
    private final Set<String> dirty = new LinkedHashSet<>();
    // Read-only indexes for the allocator, kept in step by apply(); never stored, rebuilt by replay.
    private final double[] clusterTotal = new double[4];
    private final Map<String, double[]> allocatedByFramework = new HashMap<>();
    private final Set<String> changedAgents = new HashSet<>();

    /** Applies one log record: its events in order, then its input positions. */
    public void replay(MasterLogRecord record) {
        for (Object event : record.getEvents()) {
            apply(event);
        }
        if (!record.getInputPositions().isEmpty()) {
            inputPositions.putAll(record.getInputPositions());
            dirty.add(Keys.META);
        }
    }

    /** Applies one event of a log record. */
    public void apply(Object event) {
        if (event instanceof MasterElected e) {
            epoch = e.getEpoch();
            activeMasterId = e.getMasterId();
            dirty.add(Keys.META);
        } else if (event instanceof MasterHeartbeat || event instanceof SnapshotCompleted) {
            // Liveness, or the end marker of a snapshot: changes nothing.
        } else if (event instanceof SnapshotStarted) {
            clearForSnapshot();
        } else if (event instanceof AgentAdded e) {
            AgentAdded old = agents.put(e.getAgentId(), e);
            if (old != null) {
                addScalars(clusterTotal, old.getTotal(), -1);
            }
            addScalars(clusterTotal, e.getTotal(), 1);
            unreachable.remove(e.getAgentId());
            changedAgents.add(e.getAgentId());
            dirty.add(Keys.agent(e.getAgentId()));
        } else if (event instanceof AgentUnreachable e) {
            if (agents.containsKey(e.getAgentId())) {
                unreachable.put(e.getAgentId(), e.getSinceMs());
                changedAgents.add(e.getAgentId());
                dirty.add(Keys.agent(e.getAgentId()));
            }
        } else if (event instanceof AgentDrainChanged e) {
            if (agents.containsKey(e.getAgentId())) {
                if (e.getDrain() == DrainState.DRAINING || e.getDrain() == DrainState.DRAINED) {
                    drains.put(e.getAgentId(), e.getDrain());
                } else {
                    drains.remove(e.getAgentId());
                }
                changedAgents.add(e.getAgentId());
                dirty.add(Keys.agent(e.getAgentId()));
            }
        } else if (event instanceof AgentReachable e) {
            unreachable.remove(e.getAgentId());
            changedAgents.add(e.getAgentId());
            dirty.add(Keys.agent(e.getAgentId()));
        } else if (event instanceof AgentRemoved e) {
            AgentAdded old = agents.remove(e.getAgentId());
            if (old != null) {
                addScalars(clusterTotal, old.getTotal(), -1);
            }
            unreachable.remove(e.getAgentId());
            changedAgents.remove(e.getAgentId());
            dirty.add(Keys.agent(e.getAgentId()));
        } else if (event instanceof FrameworkAdded e) {
            frameworks.put(e.getFrameworkId(), e);
            dirty.add(Keys.framework(e.getFrameworkId()));
        } else if (event instanceof FrameworkRemoved e) {
            frameworks.remove(e.getFrameworkId());
            dirty.add(Keys.framework(e.getFrameworkId()));
        } else if (event instanceof OfferMade e) {
            Offer offer = e.getOffer();
            Offer replaced = offers.put(offer.getOfferId(), offer);
            if (replaced != null) {
                addScalars(allocated(replaced.getFrameworkId()), replaced.getResources(), -1);
            }
            addScalars(allocated(offer.getFrameworkId()), offer.getResources(), 1);
            offersByAgent.computeIfAbsent(offer.getAgentId(), k -> new TreeMap<>()).put(offer.getOfferId(), offer);
            dirty.add(Keys.offer(offer.getOfferId()));
        } else if (event instanceof OfferRemoved e) {
            Offer offer = offers.remove(e.getOfferId());
            if (offer != null) {
                removeFromIndex(offersByAgent, offer.getAgentId(), offer.getOfferId());
                addScalars(allocated(offer.getFrameworkId()), offer.getResources(), -1);
                changedAgents.add(offer.getAgentId());
            }
            dirty.add(Keys.offer(e.getOfferId()));
        } else if (event instanceof TaskAdded e) {
            String key = Keys.task(e.getFrameworkId(), e.getTask().getTaskId());
            TaskStatus staging = TaskStatus.newBuilder()
                    .setTaskId(e.getTask().getTaskId())
                    .setFrameworkId(e.getFrameworkId())
                    .setAgentId(e.getTask().getAgentId())
                    .setState(TaskState.STAGING)
                    .setTimestampMs(0)
                    .build();
            TaskEntry added = new TaskEntry(e.getFrameworkId(), e.getTask(), staging);
            TaskEntry replaced = tasks.put(key, added);
            if (replaced != null && !replaced.isTerminal()) {
                addScalars(allocated(replaced.frameworkId()), replaced.task().getResources(), -1);
            }
            addScalars(allocated(e.getFrameworkId()), e.getTask().getResources(), 1);
            tasksByAgent.computeIfAbsent(e.getTask().getAgentId(), k -> new TreeMap<>()).put(key, added);
            dirty.add(key);
        } else if (event instanceof TaskStatusChanged e) {
            TaskStatus status = e.getStatus();
            TaskEntry entry = tasks.get(Keys.task(status.getFrameworkId(), status.getTaskId()));
            if (entry != null) {
                boolean wasTerminal = entry.isTerminal();
                entry.setLatest(status);
                if (wasTerminal != entry.isTerminal()) {
                    addScalars(allocated(entry.frameworkId()), entry.task().getResources(), wasTerminal ? 1 : -1);
                    changedAgents.add(entry.task().getAgentId());
                }
                dirty.add(Keys.task(status.getFrameworkId(), status.getTaskId()));
            }
        } else if (event instanceof ExecutorAdded e) {
            String key = Keys.executor(e.getAgentId(), e.getFrameworkId(), e.getExecutorId());
            ExecutorAdded replaced = executors.put(key, e);
            if (replaced != null) {
                addScalars(allocated(replaced.getFrameworkId()), replaced.getResources(), -1);
            }
            addScalars(allocated(e.getFrameworkId()), e.getResources(), 1);
            dirty.add(key);
        } else if (event instanceof ExecutorRemoved e) {
            String key = Keys.executor(e.getAgentId(), e.getFrameworkId(), e.getExecutorId());
            ExecutorAdded removed = executors.remove(key);
            if (removed != null) {
                addScalars(allocated(removed.getFrameworkId()), removed.getResources(), -1);
                changedAgents.add(removed.getAgentId());
            }
            dirty.add(key);
        } else if (event instanceof TaskRemoved e) {
            String key = Keys.task(e.getFrameworkId(), e.getTaskId());
            TaskEntry entry = tasks.remove(key);
            if (entry != null) {
                finished.addFirst(entry);
                if (finished.size() > MAX_FINISHED) {
                    finished.removeLast();
                }
            }
            if (entry != null) {
                removeFromIndex(tasksByAgent, entry.task().getAgentId(), key);
                if (!entry.isTerminal()) {
                    addScalars(allocated(entry.frameworkId()), entry.task().getResources(), -1);
                    changedAgents.add(entry.task().getAgentId());
                }
            }
            dirty.add(key);
        } else {
            throw new IllegalArgumentException("unknown master log event " + event.getClass().getName());
        }
    }

    /** A snapshot follows: forget everything, and mark it all dirty so the store drops what the snapshot lacks. */
    private void clearForSnapshot() {
        agents.keySet().forEach(id -> dirty.add(Keys.agent(id)));
        frameworks.keySet().forEach(id -> dirty.add(Keys.framework(id)));
        offers.keySet().forEach(id -> dirty.add(Keys.offer(id)));
        dirty.addAll(tasks.keySet());
        dirty.addAll(executors.keySet());
        dirty.add(Keys.META);
        agents.clear();
        unreachable.clear();
        drains.clear();
        frameworks.clear();
        offers.clear();
        tasks.clear();
        executors.clear();
        tasksByAgent.clear();
        offersByAgent.clear();
        java.util.Arrays.fill(clusterTotal, 0);
        allocatedByFramework.clear();
        changedAgents.clear();
    }

    private double[] allocated(String frameworkId) {
        return allocatedByFramework.computeIfAbsent(frameworkId, k -> new double[4]);
    }

    private static void addScalars(double[] into, Resources r, int sign) {
        into[0] = Math.max(0, into[0] + sign * r.getCpus());
        into[1] = Math.max(0, into[1] + sign * r.getMemMb());
        into[2] = Math.max(0, into[2] + sign * r.getDiskMb());
        into[3] = Math.max(0, into[3] + sign * r.getGpus());
    }

    private static Resources scalars(double[] v) {
        return ResourceMath.of(v[0], Math.round(v[1]), Math.round(v[2]), (int) Math.round(v[3]));
    }

    /** The sum of every agent's total (scalars only, no ports). */
    public Resources clusterTotal() {
        return scalars(clusterTotal);
    }

    /**
     * What a framework holds: its non-terminal tasks and its outstanding offers (scalars only, no
     * ports); zero for a framework that holds nothing. Kept up to date by every event, so reading
     * it costs nothing.
     */
    public Resources allocatedTo(String frameworkId) {
        double[] v = allocatedByFramework.get(frameworkId);
        return v == null ? ResourceMath.zero() : scalars(v);
    }

    /**
     * Agents whose free resources may have grown since the last call (added, or an offer of
     * theirs ended, or a task on them ended), for an incremental allocation pass; the set is
     * emptied. An agent that was removed is not in it.
     */
    public Set<String> takeChangedAgents() {
        Set<String> copy = new TreeSet<>(changedAgents);
        changedAgents.clear();
        return copy;
    }

    private static void removeFromIndex(Map<String, ? extends Map<String, ?>> index, String agentId, String key) {
        Map<String, ?> keys = index.get(agentId);
        if (keys != null) {
            keys.remove(key);
            if (keys.isEmpty()) {
                index.remove(agentId);
            }
        }
    }

    public long epoch() {
        return epoch;
    }

    public String activeMasterId() {
        return activeMasterId;
    }

    public Map<String, AgentAdded> agents() {
        return Collections.unmodifiableMap(agents);
    }

    /** Unreachable agents, with the time each was declared unreachable. */
    public Map<String, Long> unreachable() {
        return Collections.unmodifiableMap(unreachable);
    }

    /** The agent's drain state: NONE unless an operator drained it. */
    public DrainState drain(String agentId) {
        return drains.getOrDefault(agentId, DrainState.NONE);
    }

    /** Agents in maintenance and how far along. */
    public Map<String, DrainState> drains() {
        return Collections.unmodifiableMap(drains);
    }

    public boolean isUnreachable(String agentId) {
        return unreachable.containsKey(agentId);
    }

    public Map<String, FrameworkAdded> frameworks() {
        return Collections.unmodifiableMap(frameworks);
    }

    public Map<String, Offer> offers() {
        return Collections.unmodifiableMap(offers);
    }

    /** Tasks keyed by {@link Keys#task}. */
    public Map<String, TaskEntry> tasks() {
        return Collections.unmodifiableMap(tasks);
    }

    /** Tasks forgotten lately, newest first (at most {@link #MAX_FINISHED}). */
    public java.util.Collection<TaskEntry> recentlyFinished() {
        return Collections.unmodifiableCollection(finished);
    }

    public TaskEntry task(String frameworkId, String taskId) {
        return tasks.get(Keys.task(frameworkId, taskId));
    }

    public Map<String, Long> inputPositions() {
        return Collections.unmodifiableMap(inputPositions);
    }

    /** Tasks placed on an agent, terminal ones included until they are removed. */
    public Collection<TaskEntry> tasksOn(String agentId) {
        return List.copyOf(tasksByAgent.getOrDefault(agentId, Map.of()).values());
    }

    /** Outstanding offers of an agent's resources. */
    public Collection<Offer> offersOn(String agentId) {
        return List.copyOf(offersByAgent.getOrDefault(agentId, Map.of()).values());
    }

    /** Executors charged, keyed by {@link Keys#executor}. */
    public Map<String, ExecutorAdded> executors() {
        return Collections.unmodifiableMap(executors);
    }

    /** The executor charged under this agent, framework and id; null when none. */
    public ExecutorAdded executor(String agentId, String frameworkId, String executorId) {
        return executors.get(Keys.executor(agentId, frameworkId, executorId));
    }

    /** The executors charged on an agent, in key order. */
    public Collection<ExecutorAdded> executorsOn(String agentId) {
        String prefix = Keys.executorsOf(agentId);
        return List.copyOf(executors.subMap(prefix, prefix + Character.MAX_VALUE).values());
    }

    /**
     * Whether a task of this executor on this agent is known and not terminal (it may still run
     * in the executor, or be on its way to it).
     */
    public boolean executorBusy(String agentId, String frameworkId, String executorId) {
        for (TaskEntry t : tasksByAgent.getOrDefault(agentId, Map.of()).values()) {
            if (!t.isTerminal() && t.frameworkId().equals(frameworkId) && t.task().getExecutor() != null
                    && t.task().getExecutor().getExecutorId().equals(executorId)) {
                return true;
            }
        }
        return false;
    }

    /** What the agent's non-terminal tasks and its executors use. */
    public Resources usedOn(String agentId) {
        Resources used = ResourceMath.zero();
        for (ExecutorAdded e : executorsOn(agentId)) {
            used = ResourceMath.add(used, e.getResources());
        }
        for (TaskEntry t : tasksByAgent.getOrDefault(agentId, Map.of()).values()) {
            if (!t.isTerminal()) {
                used = ResourceMath.add(used, t.task().getResources());
            }
        }
        return used;
    }

    /** What outstanding offers hold of the agent's resources. */
    public Resources offeredOn(String agentId) {
        Resources offered = ResourceMath.zero();
        for (Offer o : offersByAgent.getOrDefault(agentId, Map.of()).values()) {
            offered = ResourceMath.add(offered, o.getResources());
        }
        return offered;
    }

    /** What of the agent is neither used nor offered; zero for an unknown or unreachable agent. */
    public Resources freeOn(String agentId) {
        AgentAdded agent = agents.get(agentId);
        if (agent == null || unreachable.containsKey(agentId) || drains.containsKey(agentId)) {
            return ResourceMath.zero();
        }
        return ResourceMath.subtract(ResourceMath.subtract(agent.getTotal(), usedOn(agentId)), offeredOn(agentId));
    }

    /** Keys changed since the last {@link #takeDirty()}. */
    public Set<String> takeDirty() {
        Set<String> copy = new LinkedHashSet<>(dirty);
        dirty.clear();
        return copy;
    }
}
