package io.drover.master.handler;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AcknowledgeUpdate;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.AgentHeartbeat;
import io.drover.api.protocol.ExecutorAdded;
import io.drover.api.protocol.ExecutorEnded;
import io.drover.api.protocol.ExecutorRemoved;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.AgentRegistered;
import io.drover.api.protocol.AgentDrainChanged;
import io.drover.api.protocol.AgentReachable;
import io.drover.api.protocol.DrainState;
import io.drover.api.protocol.AgentRemoved;
import io.drover.api.protocol.AgentUnreachable;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.ReconcileTasks;
import io.drover.api.protocol.TaskRef;
import io.drover.api.protocol.Failure;
import io.drover.api.protocol.ShutdownAgent;
import io.drover.api.protocol.Heartbeat;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.OfferEndCause;
import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.OfferRemoved;
import io.drover.api.protocol.Offers;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.Rescind;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusChanged;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.TaskRemoved;
import io.drover.api.protocol.Update;
import io.drover.api.AgentPartitions;
import io.drover.master.MasterConfig;
import io.drover.master.alloc.Allocator;
import io.drover.master.state.MasterState;
import io.drover.master.state.TaskEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's decisions for agent messages, status updates and timers; framework calls are in
 * {@link CallHandler}. Each method reads the state and records events and outputs in a
 * {@link Batch}; it never sends anything itself.
 */
public final class MasterLogic {
    private static final Logger LOG = LoggerFactory.getLogger(MasterLogic.class);
    /** Most offers in one OFFERS event (about 300 bytes each: well under Kafka's 1 MiB default). */
    static final int MAX_OFFERS_PER_MESSAGE = 1_000;

    private final MasterConfig config;
    private final Clock clock;
    private final MasterState state;
    private final SoftState soft;
    private final Outbox outbox;
    private final Allocator allocator;
    private final CallHandler calls;
    private final int commandPartitions;

    /**
     * @param soft the memory-only state, kept by the caller across reloads of {@code state}
     * @param commandPartitions the partition count of drover.agent-commands, as the topic has it
     * @param random breaks ties in the allocator's fair order
     */
    public MasterLogic(MasterConfig config, Clock clock, MasterState state, SoftState soft, int commandPartitions,
            Random random) {
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.soft = soft;
        this.commandPartitions = commandPartitions;
        this.outbox = new Outbox(clock, state::epoch);
        this.allocator = new Allocator(config.allocation(), random);
        this.calls = new CallHandler(config, clock, state, soft, outbox);
        // A new master has heard no heartbeat yet: every known agent gets a full timeout from now.
        long now = clock.millis();
        for (String agentId : state.agents().keySet()) {
            soft.agentLastSeenMs.putIfAbsent(agentId, now);
        }
        for (String frameworkId : state.frameworks().keySet()) {
            soft.frameworkLastSeenMs.putIfAbsent(frameworkId, now);
        }
    }

    public MasterState state() {
        return state;
    }

    public SoftState soft() {
        return soft;
    }

    public CallHandler calls() {
        return calls;
    }

    /** Handles a RegisterAgent or a heartbeat. */
    public void onAgentMessage(AgentMessage message, Batch batch) {
        String agentId = message.getAgentId();
        long now = clock.millis();
        soft.agentLastSeenMs.put(agentId, now);
        Object body = message.getBody();
        if (body instanceof AgentHeartbeat) {
            if (!state.agents().containsKey(agentId)) {
                soft.agentLastSeenMs.remove(agentId);
                // Removed after being unreachable too long: its tasks were reported GONE and may
                // run elsewhere now, so it must not go on as if nothing happened.
                batch.output(outbox.toAgent(agentId, AgentPartitions.commandPartition(agentId, commandPartitions),
                        ShutdownAgent.newBuilder().setReason("the master removed this agent after it was unreachable for "
                                + config.agentGoneTimeoutMs() / 1000 + " s; restart it to register again").build()));
            } else if (state.isUnreachable(agentId)) {
                agentReturned(agentId, batch);
            }
            return;
        }
        if (body instanceof ExecutorEnded ended) {
            onExecutorEnded(agentId, ended, batch);
            return;
        }
        if (!(body instanceof RegisterAgent register)) {
            LOG.warn("ignoring agent message of unknown kind {} from {}", body == null ? null : body.getClass(), agentId);
            return;
        }
        String invalid = invalidRegistration(register);
        if (invalid != null) {
            LOG.warn("ignoring registration of agent {}: {}", agentId, invalid);
            return;
        }
        int partition = AgentPartitions.commandPartition(agentId, commandPartitions);
        AgentAdded known = state.agents().get(agentId);
        if (known != null && register.getStartedAtMs() < known.getRegisteredAtMs()) {
            // A late registration of a run older than the one registered: that run is over.
            LOG.info("ignoring a late registration of agent {} from an earlier run (started at {}, now {})", agentId,
                    register.getStartedAtMs(), known.getRegisteredAtMs());
            return;
        }
        AgentAdded added = AgentAdded.newBuilder()
                .setAgentId(agentId)
                .setHostname(register.getHostname())
                .setTotal(register.getTotal())
                .setAttributes(register.getAttributes())
                .setCommandPartition(partition)
                .setRegisteredAtMs(register.getStartedAtMs())
                .setReservations(register.getReservations())
                .setHttpAddress(register.getHttpAddress())
                .build();
        boolean restarted = known != null && known.getRegisteredAtMs() != register.getStartedAtMs();
        if (restarted) {
            agentRestarted(agentId, batch);
        }
        if (known == null || restarted || !sameRegistration(known, added)) {
            batch.record(added);
            soft.allocationNeeded = true;
            LOG.info("agent {} registered from {} with {}", agentId, register.getHostname(),
                    ResourceMath.format(register.getTotal()));
        }
        batch.output(outbox.toAgent(agentId, partition, AgentRegistered.newBuilder()
                .setCommandPartition(partition)
                .setHeartbeatIntervalMs(config.agentHeartbeatIntervalMs())
                .setStartedAtMs(register.getStartedAtMs())
                .build()));
    }

    /**
     * The agent says an executor ended: its resources are freed now if none of its tasks is
     * running in the master's view, else when the last of them ends (its terminal update may
     * come after this, on another topic).
     */
    private void onExecutorEnded(String agentId, ExecutorEnded ended, Batch batch) {
        ExecutorAdded x = state.executor(agentId, ended.getFrameworkId(), ended.getExecutorId());
        if (x == null || x.getEndReported()) {
            return;
        }
        if (state.executorBusy(agentId, ended.getFrameworkId(), ended.getExecutorId())) {
            batch.record(ExecutorAdded.newBuilder(x).setEndReported(true).build());
        } else {
            removeExecutor(x, "ended on its agent: " + ended.getMessage(), batch);
        }
    }

    private void removeExecutor(ExecutorAdded x, String why, Batch batch) {
        batch.record(ExecutorRemoved.newBuilder().setAgentId(x.getAgentId()).setFrameworkId(x.getFrameworkId())
                .setExecutorId(x.getExecutorId()).setReason(why).build());
        soft.allocationNeeded = true;
        LOG.info("executor {} of framework {} on agent {}: resources freed ({})", x.getExecutorId(), x.getFrameworkId(),
                x.getAgentId(), why);
    }

    /** After a task ended: frees its executor if the agent reported that ended and no task of it runs now. */
    private void freeExecutorIfDone(String agentId, TaskEntry task, Batch batch) {
        if (task == null || task.task().getExecutor() == null) {
            return;
        }
        String executorId = task.task().getExecutor().getExecutorId();
        ExecutorAdded x = state.executor(agentId, task.frameworkId(), executorId);
        if (x != null && x.getEndReported() && !state.executorBusy(agentId, task.frameworkId(), executorId)) {
            removeExecutor(x, "its agent reported it ended and its last task ended", batch);
        }
    }

    private static String invalidRegistration(RegisterAgent r) {
        if (r.getHostname().isBlank()) {
            return "empty hostname";
        }
        var t = r.getTotal();
        if (!(t.getCpus() >= 0) || Double.isInfinite(t.getCpus()) || t.getMemMb() < 0 || t.getDiskMb() < 0 || t.getGpus() < 0) {
            return "resources must be finite and not negative: " + ResourceMath.format(t);
        }
        Resources reserved = ResourceMath.zero();
        long reservedPorts = 0;
        for (var e : r.getReservations().entrySet()) {
            Resources res = e.getValue();
            if (e.getKey().isBlank() || !(res.getCpus() >= 0) || res.getMemMb() < 0 || res.getDiskMb() < 0 || res.getGpus() < 0) {
                return "invalid reservation for role '" + e.getKey() + "': " + ResourceMath.format(res);
            }
            reserved = ResourceMath.add(reserved, res);
            reservedPorts += ResourceMath.portCount(res.getPorts());
        }
        if (reservedPorts != ResourceMath.portCount(reserved.getPorts())) {
            return "two roles reserve the same port";
        }
        if (!ResourceMath.fits(reserved, t)) {
            return "reservations " + ResourceMath.format(reserved) + " do not fit in total " + ResourceMath.format(t);
        }
        return null;
    }

    private static boolean sameRegistration(AgentAdded a, AgentAdded b) {
        return a.getHostname().equals(b.getHostname()) && a.getTotal().equals(b.getTotal())
                && a.getAttributes().equals(b.getAttributes()) && a.getCommandPartition() == b.getCommandPartition()
                && a.getReservations().equals(b.getReservations()) && a.getHttpAddress().equals(b.getHttpAddress());
    }

    /**
     * A new process registered under a known agent id. This agent does not recover tasks across
     * restarts yet, so the old process's tasks are lost, and offers of its old resources end.
     */
    private void agentRestarted(String agentId, Batch batch) {
        for (Offer offer : List.copyOf(state.offersOn(agentId))) {
            rescind(offer, OfferEndCause.RESCINDED, batch);
        }
        for (TaskEntry task : List.copyOf(state.tasksOn(agentId))) {
            endTask(task, "agent " + agentId + " restarted and did not recover the task", batch);
        }
        // An executor exits when its agent's process is gone.
        for (ExecutorAdded x : state.executorsOn(agentId)) {
            removeExecutor(x, "agent " + agentId + " restarted", batch);
        }
    }

    /**
     * Ends a task the master gives up on (LOST, reason AGENT_REMOVED), tells its framework, and
     * forgets it: a status the master makes up needs no acknowledgement.
     */
    private void endTask(TaskEntry task, String why, Batch batch) {
        if (!task.isTerminal()) {
            TaskStatus lost = masterStatus(task, TaskState.LOST, TaskStatusReason.AGENT_REMOVED, why);
            batch.record(TaskStatusChanged.newBuilder().setStatus(lost).build());
            forwardIfSubscribed(task.frameworkId(), lost, batch);
        }
        batch.record(TaskRemoved.newBuilder().setFrameworkId(task.frameworkId()).setTaskId(task.task().getTaskId()).build());
    }

    /**
     * An agent stopped heartbeating: nothing more is offered of it, its offers end, and its tasks
     * are UNREACHABLE (not terminal: they may well still run) until it comes back or is removed.
     */
    private void markUnreachable(String agentId, String why, long now, Batch batch) {
        LOG.warn("agent {} is unreachable: {}", agentId, why);
        for (Offer offer : List.copyOf(state.offersOn(agentId))) {
            rescind(offer, OfferEndCause.AGENT_REMOVED, batch);
        }
        batch.record(AgentUnreachable.newBuilder().setAgentId(agentId).setReason(why).setSinceMs(now).build());
        for (TaskEntry task : List.copyOf(state.tasksOn(agentId))) {
            if (!task.isTerminal()) {
                TaskStatus status = masterStatus(task, TaskState.UNREACHABLE, TaskStatusReason.AGENT_UNREACHABLE,
                        "agent " + agentId + " is unreachable: " + why);
                batch.record(TaskStatusChanged.newBuilder().setStatus(status).build());
                forwardIfSubscribed(task.frameworkId(), status, batch);
            }
        }
        soft.allocationNeeded = true;
    }

    /** An unreachable agent heartbeats again: it is offered again, and reports its tasks afresh. */
    private void agentReturned(String agentId, Batch batch) {
        LOG.info("agent {} is reachable again; reconciling its tasks", agentId);
        batch.record(AgentReachable.newBuilder().setAgentId(agentId).build());
        List<TaskRef> refs = new ArrayList<>();
        for (TaskEntry task : state.tasksOn(agentId)) {
            if (!task.isTerminal()) {
                refs.add(TaskRef.newBuilder().setFrameworkId(task.frameworkId()).setTaskId(task.task().getTaskId()).build());
            }
        }
        AgentAdded agent = state.agents().get(agentId);
        batch.output(outbox.toAgent(agentId, agent.getCommandPartition(), ReconcileTasks.newBuilder().setTasks(refs).build()));
        soft.allocationNeeded = true;
    }

    /** Removes an agent unreachable for too long: its tasks are GONE and forgotten. */
    private void removeAgent(String agentId, String why, Batch batch) {
        LOG.warn("removing agent {}: {}", agentId, why);
        for (Offer offer : List.copyOf(state.offersOn(agentId))) {
            rescind(offer, OfferEndCause.AGENT_REMOVED, batch);
        }
        java.util.Set<String> frameworks = new java.util.TreeSet<>();
        for (TaskEntry task : List.copyOf(state.tasksOn(agentId))) {
            frameworks.add(task.frameworkId());
            if (!task.isTerminal()) {
                TaskStatus gone = masterStatus(task, TaskState.GONE, TaskStatusReason.AGENT_REMOVED,
                        "agent " + agentId + " was removed: " + why);
                batch.record(TaskStatusChanged.newBuilder().setStatus(gone).build());
                forwardIfSubscribed(task.frameworkId(), gone, batch);
            }
            batch.record(TaskRemoved.newBuilder().setFrameworkId(task.frameworkId()).setTaskId(task.task().getTaskId()).build());
        }
        for (String fw : frameworks) {
            if (state.frameworks().containsKey(fw)) {
                batch.output(outbox.toFramework(fw, Failure.newBuilder().setAgentId(agentId).build()));
            }
        }
        for (ExecutorAdded x : state.executorsOn(agentId)) {
            removeExecutor(x, "agent " + agentId + " was removed", batch);
        }
        batch.record(AgentRemoved.newBuilder().setAgentId(agentId).setReason(why).build());
        soft.agentLastSeenMs.remove(agentId);
        soft.allocationNeeded = true;
    }

    /**
     * An operator drains an agent for maintenance ({@code drain} true) or ends its drain. A
     * draining agent's offers end and it is offered to nobody; its running tasks go on, and when
     * none is left it is DRAINED. Ending a drain offers it again.
     *
     * @return false when the master knows no such agent
     */
    public boolean onDrainRequest(String agentId, boolean drain, Batch batch) {
        if (!state.agents().containsKey(agentId)) {
            return false;
        }
        DrainState now = state.drain(agentId);
        if (drain && now == DrainState.NONE) {
            LOG.info("draining agent {}", agentId);
            for (Offer offer : List.copyOf(state.offersOn(agentId))) {
                rescind(offer, OfferEndCause.RESCINDED, batch);
            }
            batch.record(AgentDrainChanged.newBuilder().setAgentId(agentId).setDrain(DrainState.DRAINING).build());
        } else if (!drain && now != DrainState.NONE) {
            LOG.info("agent {} is back in service", agentId);
            batch.record(AgentDrainChanged.newBuilder().setAgentId(agentId).setDrain(DrainState.NONE).build());
            soft.allocationNeeded = true;
        }
        return true;
    }

    /** Takes in a batch of status updates from an agent and forwards them to their frameworks. */
    public void onStatus(StatusMessage message, Batch batch) {
        for (TaskStatus status : message.getUpdates()) {
            onStatus(message.getAgentId(), status, batch);
        }
    }

    private void onStatus(String agentId, TaskStatus status, Batch batch) {
        TaskEntry task = state.task(status.getFrameworkId(), status.getTaskId());
        boolean subscribed = state.frameworks().containsKey(status.getFrameworkId());
        boolean repeat = task != null && status.getUpdateId() != null
                && Objects.equals(task.latest().getUpdateId(), status.getUpdateId());
        boolean taken = task != null && !task.isTerminal() && !repeat;
        if (taken) {
            // The output tails go to the framework, not into the log: they would bloat every
            // log record and snapshot for nothing the master decides on.
            TaskStatus logged = TaskStatus.newBuilder(status).setStdoutTail(null).setStderrTail(null).build();
            batch.record(TaskStatusChanged.newBuilder().setStatus(logged).build());
            if (TaskEntry.isTerminal(status.getState())) {
                soft.allocationNeeded = true;
                freeExecutorIfDone(agentId, task, batch);
                if (!subscribed) {
                    // Its framework is gone and will never acknowledge: forget the task now.
                    batch.record(TaskRemoved.newBuilder().setFrameworkId(status.getFrameworkId()).setTaskId(status.getTaskId()).build());
                }
            }
        }
        if (subscribed && (taken || repeat)) {
            // Repeats are forwarded too: the framework may have missed the first copy, and its
            // client drops duplicates by update id.
            batch.output(outbox.toFramework(status.getFrameworkId(), Update.newBuilder().setStatus(status).build()));
        } else if (status.getUpdateId() != null) {
            // An update of a task the master no longer tracks, of a task it already ended, or
            // for a framework that is gone: nobody will acknowledge it, so the master does, and
            // the agent stops resending.
            AgentAdded agent = state.agents().get(agentId);
            if (agent != null) {
                batch.output(outbox.toAgent(agentId, agent.getCommandPartition(), AcknowledgeUpdate.newBuilder()
                        .setFrameworkId(status.getFrameworkId())
                        .setTaskId(status.getTaskId())
                        .setUpdateId(status.getUpdateId())
                        .build()));
            }
        }
    }

    /**
     * Timers: offer expiry, allocation (when something changed or the interval passed) and
     * framework heartbeats.
     */
    public void onTimers(Batch batch) {
        long now = clock.millis();
        for (String agentId : List.copyOf(state.agents().keySet())) {
            Long unreachableSince = state.unreachable().get(agentId);
            if (unreachableSince != null) {
                if (now - unreachableSince > config.agentGoneTimeoutMs()) {
                    removeAgent(agentId, "unreachable for " + (now - unreachableSince) / 1000 + " s", batch);
                }
                continue;
            }
            long lastSeen = soft.agentLastSeenMs.computeIfAbsent(agentId, k -> now);
            if (now - lastSeen > config.agentTimeoutMs()) {
                markUnreachable(agentId, "no heartbeat for " + (now - lastSeen) / 1000 + " s", now, batch);
            }
        }
        checkFrameworks(now, batch);
        for (var e : List.copyOf(state.drains().entrySet())) {
            if (e.getValue() == DrainState.DRAINING && state.tasksOn(e.getKey()).stream().allMatch(TaskEntry::isTerminal)) {
                LOG.info("agent {} is drained: no task left on it", e.getKey());
                batch.record(AgentDrainChanged.newBuilder().setAgentId(e.getKey()).setDrain(DrainState.DRAINED).build());
            }
        }
        for (Offer offer : List.copyOf(state.offers().values())) {
            if (offer.getExpiresAtMs() <= now) {
                rescind(offer, OfferEndCause.EXPIRED, batch);
                soft.allocationNeeded = true;
            }
        }
        if (soft.allocationNeeded || now >= soft.nextAllocationMs || soft.filters.nextExpiryMs() <= now) {
            allocate(now, batch);
        }
        if (now >= soft.nextFrameworkHeartbeatMs) {
            soft.nextFrameworkHeartbeatMs = now + config.frameworkHeartbeatIntervalMs();
            for (String fw : state.frameworks().keySet()) {
                batch.output(outbox.toFramework(fw, Heartbeat.newBuilder().build()));
            }
        }
    }

    /**
     * A framework silent for three heartbeat intervals is disconnected: its offers end and it
     * gets no more until it calls again. Silent for its failover timeout beyond that, it is torn
     * down and its tasks killed.
     */
    private void checkFrameworks(long now, Batch batch) {
        for (FrameworkAdded fw : List.copyOf(state.frameworks().values())) {
            String id = fw.getFrameworkId();
            long silentMs = now - soft.frameworkLastSeenMs.computeIfAbsent(id, k -> now);
            if (silentMs > config.frameworkDisconnectMs() + fw.getFailoverTimeoutMs()) {
                calls.teardown(id, "silent for " + silentMs / 1000 + " s, past its failover timeout of "
                        + fw.getFailoverTimeoutMs() / 1000 + " s", batch);
                soft.frameworkLastSeenMs.remove(id);
                soft.disconnected.remove(id);
            } else if (silentMs > config.frameworkDisconnectMs() && soft.disconnected.add(id)) {
                LOG.warn("framework {} is disconnected: silent for {} s; removed in {} s unless it calls", id, silentMs / 1000,
                        (config.frameworkDisconnectMs() + fw.getFailoverTimeoutMs() - silentMs) / 1000);
                for (Offer offer : List.copyOf(state.offers().values())) {
                    if (offer.getFrameworkId().equals(id)) {
                        rescind(offer, OfferEndCause.RESCINDED, batch);
                    }
                }
                soft.allocationNeeded = true;
            }
        }
    }

    /**
     * A full pass over every agent when the interval is up, a filter ended, or a framework
     * subscribed or revived; otherwise an incremental pass over the agents whose free resources
     * changed since the last pass.
     */
    private void allocate(long now, Batch batch) {
        soft.allocationNeeded = false;
        boolean filterEnded = soft.filters.nextExpiryMs() <= now;
        soft.filters.expire(now);
        Set<String> changed = state.takeChangedAgents();
        boolean full = soft.fullAllocationNeeded || now >= soft.nextAllocationMs || filterEnded;
        Collection<String> agents = changed;
        if (full) {
            soft.fullAllocationNeeded = false;
            soft.nextAllocationMs = now + config.allocationIntervalMs();
            agents = state.agents().keySet();
        }
        Map<String, List<Offer>> byFramework = new LinkedHashMap<>();
        for (Allocator.Decision d : allocator.allocate(state, soft.filters, soft.notOffered(), now, agents)) {
            AgentAdded agent = state.agents().get(d.agentId());
            Offer offer = Offer.newBuilder()
                    .setOfferId("o-" + state.epoch() + "-" + (soft.offerSequence++))
                    .setFrameworkId(d.frameworkId())
                    .setAgentId(d.agentId())
                    .setHostname(agent.getHostname())
                    .setResources(d.resources())
                    .setAttributes(agent.getAttributes())
                    .setExpiresAtMs(now + config.offerTimeoutMs())
                    .build();
            batch.record(OfferMade.newBuilder().setOffer(offer).build());
            byFramework.computeIfAbsent(d.frameworkId(), k -> new ArrayList<>()).add(offer);
        }
        // Many offers per message, but a bounded number, so that a full pass over a big cluster
        // stays far below Kafka's message size limit.
        byFramework.forEach((fw, offers) -> {
            for (int from = 0; from < offers.size(); from += MAX_OFFERS_PER_MESSAGE) {
                List<Offer> chunk = offers.subList(from, Math.min(offers.size(), from + MAX_OFFERS_PER_MESSAGE));
                batch.output(outbox.toFramework(fw, Offers.newBuilder().setOffers(new ArrayList<>(chunk)).build()));
            }
        });
    }

    /** The earliest time {@link #onTimers} has work to do. */
    public long nextTimerMs() {
        long next = Math.min(soft.nextAllocationMs, soft.nextFrameworkHeartbeatMs);
        next = Math.min(next, soft.filters.nextExpiryMs());
        for (long lastSeen : soft.agentLastSeenMs.values()) {
            next = Math.min(next, lastSeen + config.agentTimeoutMs() + 1);
        }
        for (long since : state.unreachable().values()) {
            next = Math.min(next, since + config.agentGoneTimeoutMs() + 1);
        }
        for (long lastSeen : soft.frameworkLastSeenMs.values()) {
            next = Math.min(next, lastSeen + config.frameworkDisconnectMs() + 1);
        }
        for (Offer o : state.offers().values()) {
            next = Math.min(next, o.getExpiresAtMs());
        }
        return soft.allocationNeeded ? clock.millis() : next;
    }

    void rescind(Offer offer, OfferEndCause cause, Batch batch) {
        batch.record(OfferRemoved.newBuilder().setOfferId(offer.getOfferId()).setCause(cause).build());
        if (state.frameworks().containsKey(offer.getFrameworkId())) {
            batch.output(outbox.toFramework(offer.getFrameworkId(), Rescind.newBuilder().setOfferId(offer.getOfferId()).build()));
        }
    }

    private void forwardIfSubscribed(String frameworkId, TaskStatus status, Batch batch) {
        if (state.frameworks().containsKey(frameworkId)) {
            batch.output(outbox.toFramework(frameworkId, Update.newBuilder().setStatus(status).build()));
        }
    }

    /** A status the master makes up (no update id, so no acknowledgement is needed). */
    TaskStatus masterStatus(TaskEntry task, TaskState state, TaskStatusReason reason, String message) {
        return TaskStatus.newBuilder()
                .setTaskId(task.task().getTaskId())
                .setFrameworkId(task.frameworkId())
                .setAgentId(task.task().getAgentId())
                .setState(state)
                .setReason(reason)
                .setMessage(message)
                .setUpdateId(null)
                .setTimestampMs(clock.millis())
                .build();
    }
}
