package io.drover.master.handler;

import io.drover.api.Ids;
import io.drover.api.ResourceMath;
import io.drover.api.protocol.Accept;
import io.drover.api.protocol.Acknowledge;
import io.drover.api.protocol.AcknowledgeUpdate;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.CallError;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.Decline;
import io.drover.api.protocol.FrameworkAdded;
import io.drover.api.protocol.FrameworkRemoved;
import io.drover.api.protocol.KeepAlive;
import io.drover.api.protocol.Kill;
import io.drover.api.protocol.KillTask;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.OfferEndCause;
import io.drover.api.protocol.OfferRemoved;
import io.drover.api.protocol.Reconcile;
import io.drover.api.protocol.Rescind;
import io.drover.api.protocol.ExecutorAdded;
import io.drover.api.protocol.ExecutorInfo;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.Revive;
import io.drover.api.protocol.Subscribe;
import io.drover.api.protocol.Subscribed;
import io.drover.api.protocol.Suppress;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskRemoved;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.Teardown;
import io.drover.api.protocol.Update;
import io.drover.master.MasterConfig;
import io.drover.master.state.MasterState;
import io.drover.master.state.TaskEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's answers to framework calls. An invalid call gets an answer with a reason, never
 * silence: a CallError event, or, for tasks of an accept that cannot launch, an UPDATE saying
 * why (ERROR for a bad task, DROPPED when its offers are not valid).
 */
public final class CallHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CallHandler.class);
    /** Longest refuse_seconds honoured, so a typo cannot hide an agent from a framework for years. */
    static final double MAX_REFUSE_SECONDS = 31 * 24 * 3600.0;
    /** Most bytes of data one task may carry to its executor (TaskInfo.data). */
    static final int MAX_TASK_DATA_BYTES = 64 * 1024;
    /** Most tasks one accept may launch; one launch message carries them all. */
    static final int MAX_TASKS_PER_ACCEPT = 1_000;
    /** Most bytes of task descriptions in one accept, so that its launch message and log record stay well under Kafka's 1 MiB default. */
    static final int MAX_ACCEPT_BYTES = 256 * 1024;

    private final MasterConfig config;
    private final Clock clock;
    private final MasterState state;
    private final SoftState soft;
    private final Outbox outbox;

    CallHandler(MasterConfig config, Clock clock, MasterState state, SoftState soft, Outbox outbox) {
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.soft = soft;
        this.outbox = outbox;
    }

    /** Handles one call. */
    public void onCall(CallMessage call, Batch batch) {
        String fw = call.getFrameworkId();
        try {
            Ids.requireValidFrameworkId(fw);
        } catch (IllegalArgumentException e) {
            // No topic can carry an answer to an id that cannot name one.
            LOG.warn("ignoring call from {}: {}", call.getHeader().getPrincipal(), e.getMessage());
            return;
        }
        Object body = call.getBody();
        if (body instanceof Subscribe s) {
            subscribe(call, s, batch);
            return;
        }
        FrameworkAdded framework = state.frameworks().get(fw);
        if (framework == null) {
            LOG.info("call {} from framework {} that is not subscribed", typeOf(body), fw);
            return;
        }
        if (!framework.getPrincipal().equals(call.getHeader().getPrincipal())) {
            error(fw, body, "principal '" + call.getHeader().getPrincipal() + "' may not call for framework " + fw
                    + ", which principal '" + framework.getPrincipal() + "' subscribed", batch);
            return;
        }
        soft.frameworkLastSeenMs.put(fw, clock.millis());
        if (soft.disconnected.remove(fw)) {
            LOG.info("framework {} is connected again", fw);
            soft.allocationNeeded = true;
            soft.fullAllocationNeeded = true;
        }
        if (body instanceof KeepAlive) {
            return;
        }
        if (body instanceof Accept a) {
            accept(fw, a, batch);
        } else if (body instanceof Decline d) {
            decline(fw, d, batch);
        } else if (body instanceof Revive) {
            soft.filters.clear(fw);
            soft.suppressed.remove(fw);
            soft.allocationNeeded = true;
            soft.fullAllocationNeeded = true;
        } else if (body instanceof Suppress) {
            soft.suppressed.add(fw);
        } else if (body instanceof Kill k) {
            kill(fw, k, batch);
        } else if (body instanceof Acknowledge a) {
            acknowledge(fw, a, batch);
        } else if (body instanceof Reconcile r) {
            reconcile(fw, r, batch);
        } else if (body instanceof Teardown) {
            teardown(fw, "teardown requested", batch);
        } else {
            error(fw, body, "unknown call", batch);
        }
    }

    private void subscribe(CallMessage call, Subscribe s, Batch batch) {
        String fw = call.getFrameworkId();
        FrameworkAdded known = state.frameworks().get(fw);
        if (known != null && !known.getPrincipal().equals(call.getHeader().getPrincipal())) {
            error(fw, s, "framework " + fw + " is subscribed by principal '" + known.getPrincipal() + "'", batch);
            return;
        }
        if (s.getFailoverTimeoutMs() < 0) {
            error(fw, s, "failoverTimeoutMs must not be negative", batch);
            return;
        }
        // Offers made to an earlier instance of the framework are unknown to this one.
        for (Offer offer : List.copyOf(state.offers().values())) {
            if (offer.getFrameworkId().equals(fw)) {
                batch.record(OfferRemoved.newBuilder().setOfferId(offer.getOfferId()).setCause(OfferEndCause.RESCINDED).build());
            }
        }
        batch.record(FrameworkAdded.newBuilder()
                .setFrameworkId(fw)
                .setName(s.getFrameworkName())
                .setUser(s.getUser())
                .setRole(s.getRole())
                .setPrincipal(call.getHeader().getPrincipal())
                .setFailoverTimeoutMs(s.getFailoverTimeoutMs())
                .setSubscribedAtMs(clock.millis())
                .build());
        soft.filters.clear(fw);
        soft.suppressed.remove(fw);
        soft.disconnected.remove(fw);
        soft.frameworkLastSeenMs.put(fw, clock.millis());
        soft.allocationNeeded = true;
        soft.fullAllocationNeeded = true;
        batch.output(outbox.toFramework(fw, Subscribed.newBuilder()
                .setSubscriptionId(s.getSubscriptionId())
                .setHeartbeatIntervalMs(config.frameworkHeartbeatIntervalMs())
                .build()));
        LOG.info("framework {} ({}) subscribed{}", fw, s.getFrameworkName(), known == null ? "" : " again");
    }

    private void accept(String fw, Accept accept, Batch batch) {
        List<Offer> offers = new ArrayList<>();
        String offerProblem = null;
        Set<String> seen = new HashSet<>();
        for (String id : accept.getOfferIds()) {
            Offer offer = state.offers().get(id);
            if (!seen.add(id)) {
                offerProblem = "offer " + id + " is listed twice";
            } else if (offer == null || !offer.getFrameworkId().equals(fw)) {
                offerProblem = "offer " + id + " is not outstanding (accepted, declined, rescinded or expired)";
            } else {
                offers.add(offer);
            }
        }
        if (offerProblem == null && offers.isEmpty()) {
            offerProblem = "an accept must name at least one offer";
        }
        Set<String> agents = new LinkedHashSet<>();
        offers.forEach(o -> agents.add(o.getAgentId()));
        if (offerProblem == null && agents.size() > 1) {
            offerProblem = "offers of one accept must all be of one agent, not " + agents;
        }
        String agentId = agents.isEmpty() ? "" : agents.iterator().next();
        AgentAdded agent = state.agents().get(agentId);
        if (offerProblem == null && agent == null) {
            offerProblem = "agent " + agentId + " is no longer registered";
        }
        Resources offered = ResourceMath.zero();
        for (Offer o : offers) {
            offered = ResourceMath.add(offered, o.getResources());
            // The offers are used up whatever happens next; what no task takes returns to the pool.
            batch.record(OfferRemoved.newBuilder().setOfferId(o.getOfferId())
                    .setCause(offerProblem == null ? OfferEndCause.ACCEPTED : OfferEndCause.DECLINED).build());
        }
        soft.allocationNeeded = true;
        if (offerProblem != null) {
            for (TaskInfo t : accept.getTasks()) {
                reject(fw, t, TaskState.DROPPED, TaskStatusReason.INVALID_OFFERS, offerProblem, batch);
            }
            if (accept.getTasks().isEmpty()) {
                error(fw, accept, offerProblem, batch);
            }
            return;
        }
        if (accept.getTasks().size() > MAX_TASKS_PER_ACCEPT || encodedSize(accept) > MAX_ACCEPT_BYTES) {
            String why = "an accept may launch at most " + MAX_TASKS_PER_ACCEPT + " tasks in at most "
                    + MAX_ACCEPT_BYTES / 1024 + " KiB of task descriptions";
            for (TaskInfo t : accept.getTasks()) {
                reject(fw, t, TaskState.ERROR, TaskStatusReason.INVALID_TASK, why, batch);
            }
            return;
        }
        List<TaskInfo> valid = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Resources needed = ResourceMath.zero();
        for (TaskInfo t : accept.getTasks()) {
            String problem = taskProblem(fw, t, agentId, ids);
            if (problem != null) {
                reject(fw, t, TaskState.ERROR, TaskStatusReason.INVALID_TASK, problem, batch);
            } else {
                valid.add(t);
                needed = ResourceMath.add(needed, t.getResources());
            }
        }
        // An executor's own resources are charged once, with the first task that names it on this agent.
        Map<String, ExecutorInfo> newExecutors = new java.util.LinkedHashMap<>();
        for (TaskInfo t : valid) {
            ExecutorInfo e = t.getExecutor();
            if (e != null && state.executor(agentId, fw, e.getExecutorId()) == null && !newExecutors.containsKey(e.getExecutorId())) {
                newExecutors.put(e.getExecutorId(), e);
                needed = ResourceMath.add(needed, e.getResources());
            }
        }
        long portsAsked = valid.stream().mapToLong(t -> ResourceMath.portCount(t.getResources().getPorts())).sum()
                + newExecutors.values().stream().mapToLong(e -> ResourceMath.portCount(e.getResources().getPorts())).sum();
        boolean portTwice = portsAsked != ResourceMath.portCount(needed.getPorts());
        if (portTwice || !ResourceMath.fits(needed, offered)) {
            String why = portTwice ? "two tasks ask for the same port"
                    : "the tasks" + (newExecutors.isEmpty() ? "" : " and their new executors") + " need "
                            + ResourceMath.format(needed) + " but the offers hold " + ResourceMath.format(offered);
            for (TaskInfo t : valid) {
                reject(fw, t, TaskState.ERROR, TaskStatusReason.RESOURCES_EXCEEDED, why, batch);
            }
            return;
        }
        Resources unused = ResourceMath.subtract(offered, needed);
        double refuse = Math.min(Math.max(0, accept.getRefuseSeconds()), MAX_REFUSE_SECONDS);
        if (refuse > 0 && !ResourceMath.isEmpty(unused)) {
            soft.filters.add(fw, agentId, unused, clock.millis() + (long) (refuse * 1000));
        }
        if (valid.isEmpty()) {
            return;
        }
        for (ExecutorInfo e : newExecutors.values()) {
            batch.record(ExecutorAdded.newBuilder().setAgentId(agentId).setFrameworkId(fw).setExecutorId(e.getExecutorId())
                    .setResources(e.getResources()).build());
        }
        for (TaskInfo t : valid) {
            ExecutorInfo e = t.getExecutor();
            ExecutorAdded charged = e == null ? null : state.executor(agentId, fw, e.getExecutorId());
            if (charged != null && charged.getEndReported()) {
                // The agent ended that executor and starts a new one for this task: the charge
                // it still held (for tasks whose end the master has not seen) is the new one's.
                batch.record(ExecutorAdded.newBuilder(charged).setEndReported(false).build());
            }
            batch.record(TaskAdded.newBuilder().setFrameworkId(fw).setTask(t).build());
            TaskEntry entry = state.task(fw, t.getTaskId());
            batch.output(outbox.toFramework(fw, Update.newBuilder().setStatus(withTime(entry.latest())).build()));
        }
        batch.output(outbox.toAgent(agentId, agent.getCommandPartition(),
                LaunchTasks.newBuilder().setFrameworkId(fw).setTasks(valid).build()));
    }

    private static int encodedSize(Accept accept) {
        int bytes = 0;
        for (TaskInfo t : accept.getTasks()) {
            bytes += t.getTaskId().length() + t.getName().length() + t.getAgentId().length() + 64;
            for (String arg : t.getCommand().getArguments()) {
                bytes += arg.length() + 2;
            }
            for (var e : t.getCommand().getEnvironment().entrySet()) {
                bytes += e.getKey().length() + e.getValue().length() + 4;
            }
            if (t.getData() != null) {
                bytes += t.getData().remaining();
            }
            if (t.getExecutor() != null) {
                bytes += t.getExecutor().getExecutorId().length() + 64;
                for (String arg : t.getExecutor().getCommand().getArguments()) {
                    bytes += arg.length() + 2;
                }
                for (var e : t.getExecutor().getCommand().getEnvironment().entrySet()) {
                    bytes += e.getKey().length() + e.getValue().length() + 4;
                }
            }
        }
        return bytes;
    }

    private TaskStatus withTime(TaskStatus status) {
        return TaskStatus.newBuilder(status).setTimestampMs(clock.millis()).build();
    }

    private String taskProblem(String fw, TaskInfo t, String agentId, Set<String> idsInCall) {
        try {
            Ids.requireValid("task id", t.getTaskId());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (!idsInCall.add(t.getTaskId())) {
            return "task id " + t.getTaskId() + " appears twice in the accept";
        }
        if (state.task(fw, t.getTaskId()) != null) {
            return "task id " + t.getTaskId() + " is already in use by this framework";
        }
        if (!Objects.equals(t.getAgentId(), agentId)) {
            return "task names agent " + t.getAgentId() + " but the offers are of agent " + agentId;
        }
        Resources r = t.getResources();
        if (r.getCpus() < 0 || r.getMemMb() < 0 || r.getDiskMb() < 0 || r.getGpus() < 0
                || Double.isNaN(r.getCpus()) || Double.isInfinite(r.getCpus())) {
            return "task resources must not be negative: " + ResourceMath.format(r);
        }
        if (r.getCpus() <= 0 && r.getMemMb() <= 0) {
            return "a task must ask for some CPU or memory";
        }
        if (t.getData() != null && t.getData().remaining() > MAX_TASK_DATA_BYTES) {
            return "a task's data must not exceed " + MAX_TASK_DATA_BYTES + " bytes, not " + t.getData().remaining();
        }
        if (t.getExecutor() != null) {
            // An executor task runs inside its executor: its own command is not used.
            return executorProblem(t.getExecutor());
        }
        if (t.getData() != null) {
            return "only a task with an executor can carry data";
        }
        if (t.getCommand().getArguments().isEmpty() || t.getCommand().getArguments().get(0).isEmpty()) {
            return "a task's command must name a program";
        }
        return null;
    }

    private static String executorProblem(ExecutorInfo e) {
        try {
            Ids.requireValid("executor id", e.getExecutorId());
        } catch (IllegalArgumentException ex) {
            return ex.getMessage();
        }
        if (e.getCommand().getArguments().isEmpty() || e.getCommand().getArguments().get(0).isEmpty()) {
            return "an executor's command must name a program";
        }
        Resources r = e.getResources();
        if (r.getCpus() < 0 || r.getMemMb() < 0 || r.getDiskMb() < 0 || r.getGpus() < 0
                || Double.isNaN(r.getCpus()) || Double.isInfinite(r.getCpus())) {
            return "executor resources must not be negative: " + ResourceMath.format(r);
        }
        return null;
    }

    private void reject(String fw, TaskInfo t, TaskState to, TaskStatusReason reason, String message, Batch batch) {
        LOG.info("framework {}: task {} not launched: {}", fw, t.getTaskId(), message);
        TaskStatus status = TaskStatus.newBuilder()
                .setTaskId(t.getTaskId())
                .setFrameworkId(fw)
                .setAgentId(t.getAgentId() == null ? "" : t.getAgentId())
                .setState(to)
                .setReason(reason)
                .setMessage(message)
                .setUpdateId(null)
                .setTimestampMs(clock.millis())
                .build();
        batch.output(outbox.toFramework(fw, Update.newBuilder().setStatus(status).build()));
    }

    private void decline(String fw, Decline decline, Batch batch) {
        double refuse = Math.min(Math.max(0, decline.getRefuseSeconds()), MAX_REFUSE_SECONDS);
        for (String id : decline.getOfferIds()) {
            Offer offer = state.offers().get(id);
            if (offer == null || !offer.getFrameworkId().equals(fw)) {
                continue; // already gone: declining it again is harmless
            }
            batch.record(OfferRemoved.newBuilder().setOfferId(id).setCause(OfferEndCause.DECLINED).build());
            if (refuse > 0) {
                soft.filters.add(fw, offer.getAgentId(), offer.getResources(), clock.millis() + (long) (refuse * 1000));
            }
            soft.allocationNeeded = true;
        }
    }

    private void kill(String fw, Kill kill, Batch batch) {
        TaskEntry task = state.task(fw, kill.getTaskId());
        if (task == null) {
            batch.output(outbox.toFramework(fw, Update.newBuilder().setStatus(unknownTask(fw, kill.getTaskId())).build()));
            return;
        }
        if (task.isTerminal()) {
            batch.output(outbox.toFramework(fw, Update.newBuilder().setStatus(task.latest()).build()));
            return;
        }
        AgentAdded agent = state.agents().get(task.task().getAgentId());
        if (agent == null) {
            // Cannot happen while removing an agent ends its tasks; answer anyway, never silence.
            batch.output(outbox.toFramework(fw, Update.newBuilder().setStatus(unknownTask(fw, kill.getTaskId())).build()));
            return;
        }
        batch.output(outbox.toAgent(agent.getAgentId(), agent.getCommandPartition(), KillTask.newBuilder()
                .setFrameworkId(fw).setTaskId(kill.getTaskId()).setGracePeriodMs(config.killGracePeriodMs()).build()));
    }

    private void acknowledge(String fw, Acknowledge ack, Batch batch) {
        AgentAdded agent = state.agents().get(ack.getAgentId());
        if (agent != null) {
            batch.output(outbox.toAgent(agent.getAgentId(), agent.getCommandPartition(), AcknowledgeUpdate.newBuilder()
                    .setFrameworkId(fw).setTaskId(ack.getTaskId()).setUpdateId(ack.getUpdateId()).build()));
        }
        TaskEntry task = state.task(fw, ack.getTaskId());
        if (task != null && task.isTerminal() && Objects.equals(task.latest().getUpdateId(), ack.getUpdateId())) {
            batch.record(TaskRemoved.newBuilder().setFrameworkId(fw).setTaskId(ack.getTaskId()).build());
        }
    }

    private void reconcile(String fw, Reconcile reconcile, Batch batch) {
        List<TaskStatus> answers = new ArrayList<>();
        if (reconcile.getTaskIds().isEmpty()) {
            for (TaskEntry t : state.tasks().values()) {
                if (t.frameworkId().equals(fw)) {
                    answers.add(reconciled(t.latest()));
                }
            }
        } else {
            for (String id : reconcile.getTaskIds()) {
                TaskEntry t = state.task(fw, id);
                answers.add(t == null ? unknownTask(fw, id) : reconciled(t.latest()));
            }
        }
        for (TaskStatus s : answers) {
            batch.output(outbox.toFramework(fw, Update.newBuilder().setStatus(s).build()));
        }
    }

    private TaskStatus reconciled(TaskStatus latest) {
        return TaskStatus.newBuilder(latest).setUpdateId(null).setReason(TaskStatusReason.RECONCILIATION)
                .setStdoutTail(null).setStderrTail(null).setTimestampMs(clock.millis()).build();
    }

    private TaskStatus unknownTask(String fw, String taskId) {
        return TaskStatus.newBuilder()
                .setTaskId(taskId).setFrameworkId(fw).setAgentId("")
                .setState(TaskState.LOST).setReason(TaskStatusReason.RECONCILIATION)
                .setMessage("the master knows no task " + taskId + " of this framework")
                .setUpdateId(null).setTimestampMs(clock.millis()).build();
    }

    /** Removes a framework: its offers end, its running tasks are killed. */
    void teardown(String fw, String reason, Batch batch) {
        for (Offer offer : List.copyOf(state.offers().values())) {
            if (offer.getFrameworkId().equals(fw)) {
                batch.record(OfferRemoved.newBuilder().setOfferId(offer.getOfferId()).setCause(OfferEndCause.FRAMEWORK_REMOVED).build());
            }
        }
        for (TaskEntry t : List.copyOf(state.tasks().values())) {
            if (!t.frameworkId().equals(fw)) {
                continue;
            }
            AgentAdded agent = state.agents().get(t.task().getAgentId());
            if (t.isTerminal() || agent == null) {
                batch.record(TaskRemoved.newBuilder().setFrameworkId(fw).setTaskId(t.task().getTaskId()).build());
            } else {
                batch.output(outbox.toAgent(agent.getAgentId(), agent.getCommandPartition(), KillTask.newBuilder()
                        .setFrameworkId(fw).setTaskId(t.task().getTaskId()).setGracePeriodMs(config.killGracePeriodMs()).build()));
            }
        }
        batch.record(FrameworkRemoved.newBuilder().setFrameworkId(fw).setReason(reason).build());
        soft.filters.clear(fw);
        soft.suppressed.remove(fw);
        soft.allocationNeeded = true;
        LOG.info("framework {} removed: {}", fw, reason);
    }

    private void error(String fw, Object call, String message, Batch batch) {
        LOG.info("framework {}: {} refused: {}", fw, typeOf(call), message);
        batch.output(outbox.toFramework(fw, CallError.newBuilder().setCallType(typeOf(call)).setMessage(message).build()));
    }

    private static String typeOf(Object body) {
        return body == null ? "UNKNOWN" : body.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }
}
