package io.drover.master.state;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.AgentReachable;
import io.drover.api.protocol.AgentRemoved;
import io.drover.api.protocol.AgentUnreachable;
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
import java.util.LinkedHashSet;
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
    private long epoch;
    private String activeMasterId = "";
    private final Map<String, AgentAdded> agents = new TreeMap<>();
    /** Agents that stopped heartbeating, with when (master's clock) they were declared so. */
    private final Map<String, Long> unreachable = new TreeMap<>();
    private final Map<String, FrameworkAdded> frameworks = new TreeMap<>();
    private final Map<String, Offer> offers = new TreeMap<>();
    private final Map<String, TaskEntry> tasks = new TreeMap<>();
    private final Map<String, Set<String>> tasksByAgent = new HashMap<>();
    private final Map<String, Set<String>> offersByAgent = new HashMap<>();
    private final Map<String, Long> inputPositions = new TreeMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();

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
            agents.put(e.getAgentId(), e);
            unreachable.remove(e.getAgentId());
            dirty.add(Keys.agent(e.getAgentId()));
        } else if (event instanceof AgentUnreachable e) {
            if (agents.containsKey(e.getAgentId())) {
                unreachable.put(e.getAgentId(), e.getSinceMs());
                dirty.add(Keys.agent(e.getAgentId()));
            }
        } else if (event instanceof AgentReachable e) {
            unreachable.remove(e.getAgentId());
            dirty.add(Keys.agent(e.getAgentId()));
        } else if (event instanceof AgentRemoved e) {
            agents.remove(e.getAgentId());
            unreachable.remove(e.getAgentId());
            dirty.add(Keys.agent(e.getAgentId()));
        } else if (event instanceof FrameworkAdded e) {
            frameworks.put(e.getFrameworkId(), e);
            dirty.add(Keys.framework(e.getFrameworkId()));
        } else if (event instanceof FrameworkRemoved e) {
            frameworks.remove(e.getFrameworkId());
            dirty.add(Keys.framework(e.getFrameworkId()));
        } else if (event instanceof OfferMade e) {
            Offer offer = e.getOffer();
            offers.put(offer.getOfferId(), offer);
            offersByAgent.computeIfAbsent(offer.getAgentId(), k -> new TreeSet<>()).add(offer.getOfferId());
            dirty.add(Keys.offer(offer.getOfferId()));
        } else if (event instanceof OfferRemoved e) {
            Offer offer = offers.remove(e.getOfferId());
            if (offer != null) {
                removeFromIndex(offersByAgent, offer.getAgentId(), offer.getOfferId());
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
            tasks.put(key, new TaskEntry(e.getFrameworkId(), e.getTask(), staging));
            tasksByAgent.computeIfAbsent(e.getTask().getAgentId(), k -> new TreeSet<>()).add(key);
            dirty.add(key);
        } else if (event instanceof TaskStatusChanged e) {
            TaskStatus status = e.getStatus();
            TaskEntry entry = tasks.get(Keys.task(status.getFrameworkId(), status.getTaskId()));
            if (entry != null) {
                entry.setLatest(status);
                dirty.add(Keys.task(status.getFrameworkId(), status.getTaskId()));
            }
        } else if (event instanceof TaskRemoved e) {
            String key = Keys.task(e.getFrameworkId(), e.getTaskId());
            TaskEntry entry = tasks.remove(key);
            if (entry != null) {
                removeFromIndex(tasksByAgent, entry.task().getAgentId(), key);
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
        dirty.add(Keys.META);
        agents.clear();
        unreachable.clear();
        frameworks.clear();
        offers.clear();
        tasks.clear();
        tasksByAgent.clear();
        offersByAgent.clear();
    }

    private static void removeFromIndex(Map<String, Set<String>> index, String agentId, String key) {
        Set<String> keys = index.get(agentId);
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

    public TaskEntry task(String frameworkId, String taskId) {
        return tasks.get(Keys.task(frameworkId, taskId));
    }

    public Map<String, Long> inputPositions() {
        return Collections.unmodifiableMap(inputPositions);
    }

    /** Tasks placed on an agent, terminal ones included until they are removed. */
    public Collection<TaskEntry> tasksOn(String agentId) {
        Set<String> keys = tasksByAgent.getOrDefault(agentId, Set.of());
        return keys.stream().map(tasks::get).toList();
    }

    /** Outstanding offers of an agent's resources. */
    public Collection<Offer> offersOn(String agentId) {
        Set<String> ids = offersByAgent.getOrDefault(agentId, Set.of());
        return ids.stream().map(offers::get).toList();
    }

    /** What the agent's non-terminal tasks use. */
    public Resources usedOn(String agentId) {
        Resources used = ResourceMath.zero();
        for (TaskEntry t : tasksOn(agentId)) {
            if (!t.isTerminal()) {
                used = ResourceMath.add(used, t.task().getResources());
            }
        }
        return used;
    }

    /** What outstanding offers hold of the agent's resources. */
    public Resources offeredOn(String agentId) {
        Resources offered = ResourceMath.zero();
        for (Offer o : offersOn(agentId)) {
            offered = ResourceMath.add(offered, o.getResources());
        }
        return offered;
    }

    /** What of the agent is neither used nor offered; zero for an unknown or unreachable agent. */
    public Resources freeOn(String agentId) {
        AgentAdded agent = agents.get(agentId);
        if (agent == null || unreachable.containsKey(agentId)) {
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
