package io.drover.master.sim;

import io.drover.api.protocol.Accept;
import io.drover.api.protocol.Acknowledge;
import io.drover.api.protocol.CallError;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.CommandInfo;
import io.drover.api.protocol.Decline;
import io.drover.api.protocol.Failure;
import io.drover.api.protocol.Heartbeat;
import io.drover.api.protocol.KeepAlive;
import io.drover.api.protocol.Kill;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Offers;
import io.drover.api.protocol.Reconcile;
import io.drover.api.protocol.Rescind;
import io.drover.api.protocol.Revive;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.Subscribe;
import io.drover.api.protocol.Subscribed;
import io.drover.api.protocol.Suppress;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.Teardown;
import io.drover.api.protocol.Update;
import io.drover.master.state.TaskEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A fake framework that behaves like a real scheduler: it accepts offers that fit its pending
 * tasks (one or several at a time), declines the rest with refuse seconds, acknowledges every
 * update that carries an update id, drops repeats by update id, reconciles after it
 * subscribes, sends KeepAlive when it said nothing for a heartbeat interval (as SchedulerClient
 * does), and, under chaos, lets offers expire, loses acknowledgements, kills tasks, fails over
 * (goes away for a while, so that the master may disconnect it and, past its failover timeout,
 * tear it down), and tears down to subscribe again later.
 */
final class SimulatedFramework {
    /** What the framework knows of one of its tasks. */
    static final class Task {
        final String taskId;
        /** Null until the master answered the accept. */
        TaskState state;
        /** The framework was told the task is launched (STAGING or later). */
        boolean launched;
        /** The update id of the agent's terminal update taken in; null while none was. */
        String terminalUpdateId;
        /** Launched by an incarnation that tore down: its fate no longer concerns the framework. */
        boolean abandoned;

        Task(String taskId) {
            this.taskId = taskId;
        }

        boolean terminal() {
            return state != null && TaskEntry.isTerminal(state);
        }
    }

    /** The failover timeout each subscription asks for. */
    static final long FAILOVER_TIMEOUT_MS = 20_000;

    final String id;
    final String role;
    final Resources taskSize;
    private final boolean chaotic;
    private final Simulation sim;
    private int demand;
    private boolean subscribed;
    private boolean suppressed;
    private boolean quiet;
    private int incarnation;
    private boolean resubscribeScheduled;
    /** When this framework last sent a call; any call keeps it connected. */
    private long lastCallMs;
    private long heartbeatIntervalMs;
    private int nextTask;
    private final Map<String, Offer> offers = new TreeMap<>();
    final Map<String, Task> tasks = new TreeMap<>();
    private final Set<String> seenUpdateIds = new HashSet<>();
    int duplicates;

    SimulatedFramework(String id, String role, Resources taskSize, int demand, boolean chaotic, Simulation sim) {
        this.id = id;
        this.role = role;
        this.taskSize = taskSize;
        this.demand = demand;
        this.chaotic = chaotic;
        this.sim = sim;
        this.heartbeatIntervalMs = sim.config.frameworkHeartbeatIntervalMs();
    }

    void start() {
        subscribe();
        tick();
    }

    private void subscribe() {
        incarnation++;
        subscribed = false;
        suppressed = false;
        offers.clear();
        call(Subscribe.newBuilder().setFrameworkName(id).setRole(role).setSubscriptionId(subscriptionId())
                .setFailoverTimeoutMs(FAILOVER_TIMEOUT_MS).build());
    }

    private String subscriptionId() {
        return "sub-" + id + "-" + incarnation;
    }

    private void tick() {
        if (subscribed && !quiet && chaotic && sim.chaos()) {
            if (sim.random.nextInt(20) == 0) {
                // Work comes in bursts: in between, a framework may have nothing to run, suppress
                // offers and go quiet but for its KeepAlives.
                demand += sim.random.nextInt(40);
            }
            if (suppressed && demand > 0) {
                suppressed = false;
                call(Revive.newBuilder().build());
            }
            double roll = sim.random.nextDouble();
            if (roll < 0.05) {
                killOne();
            } else if (roll < 0.052) {
                teardown();
            } else if (roll < 0.054) {
                failOver();
            }
        }
        if (subscribed && sim.now() - lastCallMs >= heartbeatIntervalMs) {
            call(KeepAlive.newBuilder().build()); // nothing said for an interval: still here
        }
        sim.after(1_000, this::tick);
    }

    private void killOne() {
        List<Task> live = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (t.launched && !t.terminal() && !t.abandoned) {
                live.add(t);
            }
        }
        if (!live.isEmpty()) {
            call(Kill.newBuilder().setTaskId(live.get(sim.random.nextInt(live.size())).taskId).build());
        }
    }

    /**
     * The scheduler process dies and a new instance subscribes after a drawn time: quick, after
     * the master disconnected it, or after its failover timeout, when the master has torn it
     * down ({@link #removedByMaster}) and killed its tasks.
     */
    private void failOver() {
        subscribed = false;
        offers.clear();
        resubscribeScheduled = true;
        long awayMs = sim.random.nextInt(3) == 0 ? sim.random.nextInt(3_000)
                : 3_000 + sim.random.nextInt((int) (sim.config.frameworkDisconnectMs() + FAILOVER_TIMEOUT_MS + 20_000));
        sim.after(awayMs, () -> {
            resubscribeScheduled = false;
            subscribe();
        });
    }

    /**
     * The master removed this framework (its own Teardown, or silence past its failover
     * timeout): the tasks of that incarnation are killed, and their fate no longer concerns it.
     */
    void removedByMaster() {
        if (subscribed) {
            sim.fail("framework " + id + " was removed by the master while it was subscribed and calling");
        }
        tasks.values().forEach(t -> t.abandoned = true);
    }

    /** Subscribed and calling (not away, not torn down): the master must keep it connected. */
    boolean connected() {
        return subscribed;
    }

    private void teardown() {
        call(Teardown.newBuilder().build());
        subscribed = false;
        offers.clear();
        tasks.values().forEach(t -> t.abandoned = true);
        resubscribeScheduled = true;
        sim.after(5_000 + sim.random.nextInt(25_000), () -> {
            resubscribeScheduled = false;
            subscribe();
        });
    }

    /** For the quiet end of a run: no new work, no chaos; offers are declined. */
    void quiesce() {
        quiet = true;
        if (suppressed && subscribed) {
            suppressed = false;
            call(Revive.newBuilder().build()); // so that it hears of offers, and declines them
        }
        demand = 0;
    }

    void onEvent(String frameworkId, Object body) {
        if (!frameworkId.equals(id)) {
            sim.fail("framework " + id + " got an event for framework " + frameworkId);
        }
        if (body instanceof Subscribed s) {
            if (s.getSubscriptionId().equals(subscriptionId()) && !resubscribeScheduled) {
                subscribed = true;
                if (s.getHeartbeatIntervalMs() > 0) {
                    heartbeatIntervalMs = s.getHeartbeatIntervalMs();
                }
                reconcile();
            }
            return;
        }
        if (!subscribed) {
            return; // between subscriptions: a real client is not listening
        }
        if (body instanceof Offers o) {
            for (Offer offer : o.getOffers()) {
                if (!offer.getFrameworkId().equals(id)) {
                    sim.fail("framework " + id + " got offer " + offer.getOfferId() + " made to " + offer.getFrameworkId());
                }
                offers.put(offer.getOfferId(), offer);
                decide(offer);
            }
        } else if (body instanceof Rescind r) {
            offers.remove(r.getOfferId());
        } else if (body instanceof Update u) {
            onUpdate(u.getStatus());
        } else if (body instanceof CallError e) {
            sim.fail("framework " + id + " got a CallError for a well-formed call: " + e.getCallType() + ": " + e.getMessage());
        } else if (!(body instanceof Heartbeat) && !(body instanceof Failure)) {
            sim.fail("framework " + id + " got an event of unknown kind " + body);
        }
    }

    /** Asks about every task whose fate it does not know: updates sent while it was away are gone. */
    private void reconcile() {
        List<String> ids = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (!t.terminal() && !t.abandoned) {
                ids.add(t.taskId);
            }
        }
        if (!ids.isEmpty()) {
            call(Reconcile.newBuilder().setTaskIds(ids).build());
        }
    }

    private void decide(Offer offer) {
        if (chaotic && !quiet && sim.random.nextInt(40) == 0) {
            return; // forgets it; the master rescinds it when it expires
        }
        offers.remove(offer.getOfferId());
        int fit = fits(offer.getResources());
        int wanted = Math.min(fit, demand);
        if (wanted == 0 || (chaotic && sim.random.nextInt(10) == 0)) {
            double refuse = quiet ? 5 : sim.random.nextInt(4);
            call(Decline.newBuilder().setOfferIds(List.of(offer.getOfferId())).setRefuseSeconds(refuse).build());
            if (demand == 0 && chaotic && !quiet && !suppressed && sim.random.nextInt(4) == 0) {
                suppressed = true; // nothing to run: stop offers until there is
                call(Suppress.newBuilder().build());
            }
            return;
        }
        int count = chaotic && sim.random.nextBoolean() ? 1 + sim.random.nextInt(wanted) : wanted;
        List<TaskInfo> launch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String taskId = "t" + nextTask++;
            tasks.put(taskId, new Task(taskId));
            launch.add(TaskInfo.newBuilder().setTaskId(taskId).setName(taskId).setAgentId(offer.getAgentId())
                    .setResources(taskSize)
                    .setCommand(CommandInfo.newBuilder().setArguments(List.of("sleep", "1")).build())
                    .build());
        }
        demand -= count;
        call(Accept.newBuilder().setOfferIds(List.of(offer.getOfferId())).setTasks(launch)
                .setRefuseSeconds(chaotic ? sim.random.nextInt(3) : 1).build());
    }

    private int fits(Resources have) {
        int n = Integer.MAX_VALUE;
        n = Math.min(n, (int) Math.floor(have.getCpus() / taskSize.getCpus() + 1e-9));
        n = Math.min(n, (int) (have.getMemMb() / taskSize.getMemMb()));
        if (taskSize.getDiskMb() > 0) {
            n = Math.min(n, (int) (have.getDiskMb() / taskSize.getDiskMb()));
        }
        if (taskSize.getGpus() > 0) {
            n = Math.min(n, have.getGpus() / taskSize.getGpus());
        }
        return n;
    }

    private void onUpdate(TaskStatus s) {
        if (!s.getFrameworkId().equals(id)) {
            sim.fail("framework " + id + " got an update of framework " + s.getFrameworkId());
        }
        String updateId = s.getUpdateId();
        if (updateId != null) {
            TaskStatus sent = sim.sentByAgent(updateId);
            if (sent == null || !sent.getTaskId().equals(s.getTaskId()) || sent.getState() != s.getState()
                    || !sent.getFrameworkId().equals(id)) {
                sim.fail("framework " + id + " got update " + updateId + " (" + s.getTaskId() + " " + s.getState()
                        + ") that no agent sent that way; the agent sent " + sent);
            }
            if (!(chaotic && !quiet && sim.random.nextInt(30) == 0)) { // else the acknowledgement is lost
                call(Acknowledge.newBuilder().setAgentId(s.getAgentId()).setTaskId(s.getTaskId()).setUpdateId(updateId).build());
            }
            if (!seenUpdateIds.add(updateId)) {
                duplicates++;
                return; // a repeat, dropped by update id as the client library does
            }
        }
        Task t = tasks.get(s.getTaskId());
        if (t == null) {
            sim.fail("framework " + id + " got an update of task " + s.getTaskId() + ", which it never launched: " + s);
            return;
        }
        boolean terminal = TaskEntry.isTerminal(s.getState());
        if (t.terminal()) {
            // A reconciliation answer may tell of the end before the agent's own update arrives;
            // an agent's update may not take the task back, nor end it a second time.
            if (updateId != null && (!terminal || t.terminalUpdateId != null)) {
                sim.fail("framework " + id + ": task " + t.taskId + " was " + t.state + " (update " + t.terminalUpdateId
                        + ") and then got " + s.getState() + " with update id " + updateId);
            }
            if (updateId != null) {
                t.terminalUpdateId = updateId;
            }
            return;
        }
        if (!terminal) {
            t.launched = true;
        }
        t.state = s.getState();
        if (terminal) {
            t.terminalUpdateId = updateId;
        }
        if (terminal && !t.launched && !quiet) {
            demand++; // never ran: try again later
        }
    }

    private void call(Object body) {
        lastCallMs = sim.now();
        CallMessage call = CallMessage.newBuilder().setHeader(sim.header("principal-" + id)).setFrameworkId(id).setBody(body).build();
        sim.toMaster("framework-" + id, call);
    }

    boolean subscribed() {
        return subscribed;
    }
}
