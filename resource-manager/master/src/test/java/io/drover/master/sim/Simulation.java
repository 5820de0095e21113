package io.drover.master.sim;

import io.drover.api.ResourceMath;
import io.drover.api.Topics;
import io.drover.api.codec.Codec;
import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.AgentCommand;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.AgentReachable;
import io.drover.api.protocol.AgentUnreachable;
import io.drover.api.protocol.CallMessage;
import io.drover.api.protocol.FrameworkEvent;
import io.drover.api.protocol.FrameworkRemoved;
import io.drover.api.protocol.Header;
import io.drover.api.protocol.MasterElected;
import io.drover.api.protocol.MasterLogRecord;
import io.drover.api.protocol.OfferMade;
import io.drover.api.protocol.OfferRemoved;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.TaskAdded;
import io.drover.api.protocol.TaskRemoved;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusChanged;
import io.drover.master.ManualClock;
import io.drover.master.MasterConfig;
import io.drover.master.handler.Batch;
import io.drover.master.handler.MasterLogic;
import io.drover.master.handler.SoftState;
import io.drover.master.state.Keys;
import io.drover.master.state.MasterState;
import io.drover.master.state.TaskEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One deterministic run of the master's logic against hundreds of simulated agents and a few
 * simulated frameworks. One seed drives everything: the {@link Random} every party draws from,
 * the manual clock and the order of the {@link EventQueue}. Messages travel through the queue
 * with drawn delays, in order per channel as on a Kafka partition. The master runs in turns as
 * the Kafka loop would: the inputs that arrived, then the timers; its log records and outputs
 * are kept, and its outputs are delivered to the agents and frameworks.
 *
 * <p>Invariants are checked after every turn; a violation throws an {@link AssertionError} that
 * names the seed, the step and how to replay it.
 */
final class Simulation {
    /** One framework of a scenario. */
    record FrameworkSpec(String id, String role, Resources taskSize, int demand) {}

    /**
     * @param chaos agents go silent, die and restart; frameworks kill, fail over and tear down
     * @param steps master turns of the busy phase
     * @param quietMs virtual time, after the busy phase, with every agent that can be healthy
     *     and no new work, after which no task may be left unfinished; 0 for none
     * @param restartWhileRegistering chance that an agent restarts right after it sent a
     *     registration, before the master answered it
     */
    record Scenario(String name, int agents, List<FrameworkSpec> frameworks, boolean chaos, int steps,
            long minTaskMs, long maxTaskMs, long quietMs, double restartWhileRegistering) {}

    static final long START_MS = 1_700_000_000_000L;
    static final int COMMAND_PARTITIONS = 8;
    private static final int REPLAY_CHECK_EVERY = 250;
    private static final int ZOMBIE_CHECK_EVERY = 25;
    static final long AGENT_GONE_TIMEOUT_MS = 60_000;

    final long seed;
    final Scenario scenario;
    final Random random;
    /**
     * The defaults, but agents unreachable for a minute are removed (not ten): agents that died
     * for good are gone well within the quiet phase, and removal happens often enough to test.
     */
    final MasterConfig config = MasterConfig.defaults("sim:9092", Path.of("unused")).toBuilder()
            .masterId("sim-master").agentGoneTimeoutMs(AGENT_GONE_TIMEOUT_MS).build();
    private final ManualClock clock = new ManualClock(START_MS);
    private final EventQueue queue = new EventQueue();
    /** The master's state; replaced by one rebuilt from the log when the master recovers or fails over. */
    MasterState state = new MasterState();
    private SoftState soft = new SoftState();
    private Random masterRandom;
    private MasterLogic logic;
    int masterRestarts;
    final List<MasterLogRecord> log = new ArrayList<>();
    /** A standby's copy: every record replayed as it is committed. */
    private final MasterState standby = new MasterState();
    final Map<String, SimulatedAgent> agents = new TreeMap<>();
    final Map<String, SimulatedFramework> frameworks = new TreeMap<>();
    /** Every update an agent sent, by update id. */
    private final Map<String, TaskStatus> sentByAgents = new HashMap<>();
    private final List<Object> arrived = new ArrayList<>();
    /** The master's tasks as its log events tell them, and whether each is terminal. */
    private final Map<String, Boolean> taskTerminal = new HashMap<>();
    private final Set<String> removedTasks = new HashSet<>();
    private boolean chaos;
    private int step;
    private long messageSeq;
    private long updateSeq;
    long outputs;
    /** Times the master disconnected a framework (soft state: not in the log). */
    int disconnects;
    private final Set<String> disconnected = new HashSet<>();
    /**
     * Tasks the master had as UNREACHABLE when their agent came back, by task key: the agent,
     * and when the master must have heard of the task from it again.
     */
    private final Map<String, Map.Entry<String, Long>> toReconcile = new TreeMap<>();
    /** How long an agent that came back may take to report the tasks the master asks it about. */
    static final long RECONCILE_WITHIN_MS = 12_000;

    Simulation(long seed, Scenario scenario) {
        this.seed = seed;
        this.scenario = scenario;
        this.random = new Random(seed);
        this.masterRandom = new Random(random.nextLong());
        this.logic = new MasterLogic(config, clock, state, soft, COMMAND_PARTITIONS, masterRandom);
        this.chaos = scenario.chaos();
        String[] kinds = {"small", "large", "gpu"};
        for (int i = 0; i < scenario.agents(); i++) {
            String kind = kinds[random.nextInt(kinds.length)];
            Resources total = switch (kind) {
                case "small" -> ResourceMath.of(4, 8_192, 100_000, 0);
                case "large" -> ResourceMath.of(16, 65_536, 500_000, 0);
                default -> ResourceMath.of(8, 32_768, 200_000, 2);
            };
            String id = String.format("agent-%03d", i);
            agents.put(id, new SimulatedAgent(id, total, this));
        }
        for (FrameworkSpec spec : scenario.frameworks()) {
            frameworks.put(spec.id(), new SimulatedFramework(spec.id(), spec.role(), spec.taskSize(), spec.demand(), scenario.chaos(), this));
        }
    }

    /** A scenario with every kind of trouble. */
    static Scenario chaos(String name, int agents, int steps) {
        return new Scenario(name, agents, List.of(
                new FrameworkSpec("fw-tiny", "*", ResourceMath.of(0.5, 512, 0, 0), 400),
                new FrameworkSpec("fw-batch", "*", ResourceMath.of(1, 2_048, 0, 0), 400),
                new FrameworkSpec("fw-disk", "*", ResourceMath.of(2, 4_096, 10_000, 0), 200),
                new FrameworkSpec("fw-big", "analytics", ResourceMath.of(4, 16_384, 0, 0), 100),
                new FrameworkSpec("fw-gpu", "ml", ResourceMath.of(2, 8_192, 0, 1), 100)),
                true, steps, 2_000, 40_000, 150_000, 0.05);
    }

    /** Runs the scenario and checks everything; throws AssertionError on the first violation. */
    Simulation run() {
        Batch first = new Batch(state);
        first.record(MasterElected.newBuilder().setEpoch(1).setMasterId(config.masterId()).build());
        commit(first);
        for (SimulatedAgent a : agents.values()) {
            queue.at(now() + random.nextInt(5_000), a::start);
        }
        for (SimulatedFramework f : frameworks.values()) {
            queue.at(now() + random.nextInt(3_000), f::start);
        }
        for (int i = 0; i < scenario.steps(); i++) {
            turn(250);
        }
        if (scenario.quietMs() > 0) {
            chaos = false;
            agents.values().forEach(SimulatedAgent::heal);
            frameworks.values().forEach(SimulatedFramework::quiesce);
            long end = now() + scenario.quietMs();
            while (now() < end) {
                turn(1_000); // nothing much happens: longer turns keep the run short
            }
            checkNothingLeft();
        }
        checkReplay(true);
        return this;
    }

    /** One turn of the master's loop, after 20 ms to {@code maxTickMs} of virtual time. */
    private void turn(int maxTickMs) {
        long target = now() + 20 + random.nextInt(maxTickMs - 20);
        while (queue.nextAtMs() <= target) {
            long at = queue.nextAtMs();
            if (at > now()) {
                clock.advanceMs(at - now());
            }
            queue.poll().run();
        }
        clock.advanceMs(target - now());
        Batch batch = new Batch(state);
        List<Object> inputs = List.copyOf(arrived);
        arrived.clear();
        for (Object input : inputs) {
            if (input instanceof AgentMessage m) {
                logic.onAgentMessage(m, batch);
            } else if (input instanceof StatusMessage m) {
                logic.onStatus(m, batch);
            } else if (input instanceof CallMessage m) {
                logic.calls().onCall(m, batch);
            } else {
                throw new IllegalStateException(String.valueOf(input));
            }
        }
        logic.onTimers(batch);
        if (chaos && random.nextInt(300) == 0) {
            // The transaction fails: nothing of this turn is committed or sent.
            recoverMaster(random.nextInt(3) == 0, inputs);
            step++;
            return;
        }
        commit(batch);
        step++;
        checkTurn(batch.events());
        if (step % REPLAY_CHECK_EVERY == 0) {
            checkReplay(false);
        }
    }

    /**
     * What Master does after a failed transaction ({@code newProcess} false: it keeps its soft
     * state) or what a standby does when it takes over ({@code newProcess} true): rebuild the state
     * from the log, write a MasterElected record with the next epoch, and read again the inputs
     * whose positions were not committed.
     */
    private void recoverMaster(boolean newProcess, List<Object> uncommittedInputs) {
        masterRestarts++;
        MasterState reloaded = new MasterState();
        log.forEach(reloaded::replay);
        state = reloaded;
        if (newProcess) {
            soft = new SoftState();
            masterRandom = new Random(random.nextLong());
        }
        logic = new MasterLogic(config, clock, state, soft, COMMAND_PARTITIONS, masterRandom);
        Batch elected = new Batch(state);
        elected.record(MasterElected.newBuilder().setEpoch(state.epoch() + 1).setMasterId(config.masterId()).build());
        commit(elected);
        arrived.addAll(0, uncommittedInputs);
    }

    /** Keeps the batch's log record and delivers its outputs, as one committed transaction. */
    private void commit(Batch batch) {
        if (!batch.events().isEmpty()) {
            MasterLogRecord record = MasterLogRecord.newBuilder()
                    .setHeader(header("master"))
                    .setEvents(new ArrayList<>(batch.events()))
                    .setInputPositions(Map.of())
                    .build();
            log.add(record);
            standby.replay(record);
        }
        long sentAtMs = now();
        for (ProducerRecord<byte[], byte[]> r : batch.outputs()) {
            outputs++;
            if (r.topic().equals(Topics.AGENT_COMMANDS)) {
                AgentCommand c = decode(Codecs.AGENT_COMMAND, r.value());
                SimulatedAgent agent = agents.get(c.getAgentId());
                if (agent == null) {
                    fail("command for unknown agent " + c.getAgentId());
                }
                AgentAdded known = state.agents().get(c.getAgentId());
                if (known != null && known.getCommandPartition() != r.partition()) {
                    fail("command for agent " + c.getAgentId() + " on partition " + r.partition() + ", not its "
                            + known.getCommandPartition());
                }
                queue.onChannel("to-agent-" + c.getAgentId(), now() + delayMs(), () -> agent.onCommand(c.getBody(), sentAtMs));
            } else {
                FrameworkEvent e = decode(Codecs.FRAMEWORK_EVENT, r.value());
                SimulatedFramework fw = frameworks.get(e.getFrameworkId());
                if (fw == null || !r.topic().equals(Topics.offers(e.getFrameworkId()))) {
                    fail("event for framework " + e.getFrameworkId() + " on topic " + r.topic());
                }
                queue.onChannel("to-framework-" + fw.id, now() + delayMs(), () -> fw.onEvent(e.getFrameworkId(), e.getBody()));
            }
        }
    }

    // ---- invariants ----

    /** Checks what this turn's events touched; every {@value #REPLAY_CHECK_EVERY} turns, everything. */
    private void checkTurn(List<Object> events) {
        Set<String> touched = new TreeSet<>();
        for (Object event : events) {
            if (event instanceof OfferMade e) {
                touched.add(e.getOffer().getAgentId());
                if (!state.frameworks().containsKey(e.getOffer().getFrameworkId())) {
                    fail("offer " + e.getOffer().getOfferId() + " made to framework " + e.getOffer().getFrameworkId()
                            + ", which is not subscribed");
                }
                // 5. Nothing is offered of an unreachable agent, nor to a disconnected framework.
                if (state.isUnreachable(e.getOffer().getAgentId()) || soft.isDisconnected(e.getOffer().getFrameworkId())) {
                    fail("offer " + e.getOffer().getOfferId() + " of agent " + e.getOffer().getAgentId() + " (unreachable: "
                            + state.isUnreachable(e.getOffer().getAgentId()) + ") made to framework " + e.getOffer().getFrameworkId()
                            + " (disconnected: " + soft.isDisconnected(e.getOffer().getFrameworkId()) + ")");
                }
            } else if (event instanceof FrameworkRemoved e) {
                // A framework torn down (by its own Teardown, or silent past its failover timeout)
                // abandons its tasks; removing one that is subscribed and calling is a bug.
                SimulatedFramework f = frameworks.get(e.getFrameworkId());
                if (f != null) {
                    f.removedByMaster();
                }
            } else if (event instanceof AgentAdded e) {
                touched.add(e.getAgentId());
            } else if (event instanceof AgentReachable e) {
                for (TaskEntry t : state.tasksOn(e.getAgentId())) {
                    if (t.state() == TaskState.UNREACHABLE) {
                        toReconcile.put(Keys.task(t.frameworkId(), t.task().getTaskId()),
                                Map.entry(e.getAgentId(), now() + RECONCILE_WITHIN_MS));
                    }
                }
            } else if (event instanceof AgentUnreachable e) {
                toReconcile.values().removeIf(v -> v.getKey().equals(e.getAgentId()));
            } else if (event instanceof TaskAdded e) {
                String key = Keys.task(e.getFrameworkId(), e.getTask().getTaskId());
                touched.add(e.getTask().getAgentId());
                // 3. A removed task never comes back: task ids are never reused.
                if (taskTerminal.containsKey(key) || removedTasks.contains(key)) {
                    fail("task " + key + " was added again");
                }
                taskTerminal.put(key, false);
            } else if (event instanceof TaskStatusChanged e) {
                String key = Keys.task(e.getStatus().getFrameworkId(), e.getStatus().getTaskId());
                boolean terminal = TaskEntry.isTerminal(e.getStatus().getState());
                // 3. The master's task never leaves a terminal state.
                if (Boolean.TRUE.equals(taskTerminal.get(key)) && !terminal) {
                    fail("task " + key + " went from terminal back to " + e.getStatus().getState());
                }
                if (taskTerminal.containsKey(key)) {
                    taskTerminal.put(key, terminal);
                }
            } else if (event instanceof TaskRemoved e) {
                String key = Keys.task(e.getFrameworkId(), e.getTaskId());
                if (taskTerminal.remove(key) != null) {
                    removedTasks.add(key);
                }
            }
        }
        if (step % REPLAY_CHECK_EVERY == 0) {
            touched.addAll(state.agents().keySet());
            for (Offer o : state.offers().values()) {
                if (!state.agents().containsKey(o.getAgentId()) || !state.frameworks().containsKey(o.getFrameworkId())) {
                    fail("offer " + o + " is of an agent that is not registered or to a framework that is not subscribed");
                }
                if (state.isUnreachable(o.getAgentId()) || soft.isDisconnected(o.getFrameworkId())) {
                    fail("offer " + o + " is outstanding, of an unreachable agent or to a disconnected framework");
                }
            }
        }
        if (step % ZOMBIE_CHECK_EVERY == 0) {
            checkNoZombies();
        }
        checkReconciled();
        // 6. A framework that keeps calling (KeepAlive when idle) is never disconnected.
        for (SimulatedFramework f : frameworks.values()) {
            if (!soft.isDisconnected(f.id)) {
                disconnected.remove(f.id);
            } else if (disconnected.add(f.id)) {
                disconnects++;
            }
            if (f.connected() && soft.isDisconnected(f.id)) {
                fail("framework " + f.id + " is subscribed and calls at least every heartbeat interval, but the master"
                        + " disconnected it");
            }
        }
        // 1. Outstanding offers and live tasks of an agent never add up to more than it has.
        for (String agentId : touched) {
            AgentAdded agent = state.agents().get(agentId);
            if (agent == null) {
                continue;
            }
            Resources held = ResourceMath.add(state.usedOn(agentId), state.offeredOn(agentId));
            if (!ResourceMath.fits(held, agent.getTotal())) {
                fail("agent " + agentId + " has " + ResourceMath.format(agent.getTotal()) + " but offers and live tasks hold "
                        + ResourceMath.format(held) + "; offers " + state.offersOn(agentId));
            }
        }
    }

    /**
     * 1c. A task that runs on an agent the master knows in its current run is a live task of the
     * master's; otherwise the master offers resources that are in use.
     */
    private void checkNoZombies() {
        for (SimulatedAgent a : agents.values()) {
            AgentAdded known = state.agents().get(a.id);
            if (a.mode() != SimulatedAgent.Mode.UP || !a.registered() || known == null || known.getRegisteredAtMs() != a.startedAtMs()) {
                continue;
            }
            for (String[] task : a.runningTasks()) {
                TaskEntry t = state.task(task[0], task[1]);
                if (t == null || t.isTerminal() || !t.task().getAgentId().equals(a.id)) {
                    fail("agent " + a.id + " (run started at t+" + (a.startedAtMs() - START_MS) + " ms) runs task " + task[0] + "/"
                            + task[1] + ", which the master has as " + (t == null ? "unknown" : t.state() + " on " + t.task().getAgentId())
                            + "; the master offers " + ResourceMath.format(state.offeredOn(a.id)) + " of the agent's "
                            + ResourceMath.format(a.total) + " while the agent runs " + ResourceMath.format(a.used()));
                }
            }
        }
    }

    /**
     * 7. A task that was UNREACHABLE when its agent came back is no longer UNREACHABLE soon after:
     * the agent reports it afresh (ReconcileTasks) or its pending updates arrive.
     */
    private void checkReconciled() {
        var it = toReconcile.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            String agentId = e.getValue().getKey();
            TaskEntry t = state.tasks().get(e.getKey());
            if (t == null || t.state() != TaskState.UNREACHABLE || !state.agents().containsKey(agentId)
                    || state.isUnreachable(agentId)) {
                it.remove();
            } else if (now() > e.getValue().getValue()) {
                fail("task " + e.getKey() + " is still UNREACHABLE " + RECONCILE_WITHIN_MS / 1000 + " s after agent " + agentId
                        + " came back; agent mode " + agents.get(agentId).mode());
            }
        }
    }

    /** A few delivery delays: the fresh update follows the resent one as soon as that is acknowledged. */
    private static final long VIEW_CATCHES_UP_WITHIN_MS = 3_000;
    /** When a framework first held a task as UNREACHABLE while the master had it running again. */
    private final Map<String, Long> viewBehindSince = new java.util.HashMap<>();

    /**
     * 8. A framework does not keep a task as UNREACHABLE for long after the master has it
     * RUNNING again: the agent's fresh RECONCILIATION update reaches it (a resent update it had
     * seen before is dropped as a repeat and would not tell it).
     */
    private void checkFrameworkViews() {
        for (SimulatedFramework f : frameworks.values()) {
            for (SimulatedFramework.Task t : f.tasks.values()) {
                String key = f.id + "/" + t.taskId;
                TaskEntry m = state.task(f.id, t.taskId);
                boolean behind = !t.abandoned && t.state == TaskState.UNREACHABLE && m != null && m.state() == TaskState.RUNNING;
                if (!behind) {
                    viewBehindSince.remove(key);
                } else if (now() - viewBehindSince.computeIfAbsent(key, k -> now()) > VIEW_CATCHES_UP_WITHIN_MS) {
                    fail("framework " + f.id + " still has task " + t.taskId + " as UNREACHABLE " + VIEW_CATCHES_UP_WITHIN_MS / 1000
                            + " s after the master has it RUNNING again");
                }
            }
        }
    }

    /** 4. The log rebuilds the live state; from scratch, through the wire format as a standby reads it. */
    private void checkReplay(boolean fromScratch) {
        String live = digest(state);
        if (!live.equals(digest(standby))) {
            fail("the state replayed from the log differs from the live state:\n" + firstDifference(live, digest(standby)));
        }
        if (fromScratch) {
            MasterState fresh = new MasterState();
            for (MasterLogRecord r : log) {
                fresh.replay(decode(Codecs.MASTER_LOG_RECORD, Codecs.MASTER_LOG_RECORD.encode(r)));
            }
            if (!live.equals(digest(fresh))) {
                fail("the log replayed from scratch differs from the live state:\n" + firstDifference(live, digest(fresh)));
            }
        }
    }

    /** 2. After the quiet phase every task a framework launched has ended, and every agent is done. */
    private void checkNothingLeft() {
        for (SimulatedFramework f : frameworks.values()) {
            if (!f.subscribed()) {
                fail("framework " + f.id + " is not subscribed at the end");
            }
            for (SimulatedFramework.Task t : f.tasks.values()) {
                if (t.abandoned) {
                    continue;
                }
                if (t.state == null) {
                    fail("framework " + f.id + " never heard of task " + t.taskId + " after accepting an offer for it");
                }
                if (!t.terminal()) {
                    fail("framework " + f.id + " launched task " + t.taskId + ", last heard " + t.state
                            + ", and never learned its end; the master has " + describeTask(f.id, t.taskId));
                }
            }
        }
        for (SimulatedAgent a : agents.values()) {
            if (a.mode() == SimulatedAgent.Mode.DEAD) {
                if (state.agents().containsKey(a.id)) {
                    fail("dead agent " + a.id + " is still registered after the quiet phase");
                }
                continue;
            }
            if (!a.registered() || !a.runningTasks().isEmpty() || a.pendingUpdates() > 0 || state.isUnreachable(a.id)) {
                fail("agent " + a.id + " after the quiet phase: mode " + a.mode() + ", registered " + a.registered()
                        + ", running " + a.runningTasks().size() + ", updates waiting for acknowledgement " + a.pendingUpdates()
                        + ", unreachable for the master " + state.isUnreachable(a.id));
            }
        }
        for (TaskEntry t : state.tasks().values()) {
            if (!t.isTerminal()) {
                fail("the master still has live task " + t.frameworkId() + "/" + t.task().getTaskId() + " after the quiet phase");
            }
        }
    }

    /** A one-line account of what happened, for the test's output. */
    String summary() {
        Map<String, Integer> counts = new TreeMap<>();
        for (MasterLogRecord r : log) {
            for (Object e : r.getEvents()) {
                String kind = e.getClass().getSimpleName();
                if (e instanceof OfferRemoved o) {
                    kind += "." + o.getCause();
                } else if (e instanceof TaskStatusChanged c) {
                    kind += "." + c.getStatus().getState();
                } else if (e instanceof FrameworkRemoved f) {
                    kind += f.getReason().startsWith("teardown requested") ? ".TEARDOWN" : ".TIMEOUT";
                }
                counts.merge(kind, 1, Integer::sum);
            }
        }
        int duplicates = frameworks.values().stream().mapToInt(f -> f.duplicates).sum();
        return String.format("%s seed %d: %d turns, %d s virtual, %d log records, %d outputs, %d master recoveries, "
                + "%d framework disconnects, %d repeats dropped by frameworks, %s",
                scenario.name(), seed, step, (now() - START_MS) / 1000, log.size(), outputs, masterRestarts, disconnects,
                duplicates, counts);
    }

    private String describeTask(String frameworkId, String taskId) {
        TaskEntry t = state.task(frameworkId, taskId);
        return t == null ? "no such task" : t.state() + " on " + t.task().getAgentId();
    }

    /** Dominant share of a framework: its largest fraction of the cluster's CPUs or memory, tasks and offers. */
    double dominantShare(String frameworkId) {
        double cpus = 0;
        double mem = 0;
        double totalCpus = 0;
        double totalMem = 0;
        for (AgentAdded a : state.agents().values()) {
            totalCpus += a.getTotal().getCpus();
            totalMem += a.getTotal().getMemMb();
        }
        for (TaskEntry t : state.tasks().values()) {
            if (t.frameworkId().equals(frameworkId) && !t.isTerminal()) {
                cpus += t.task().getResources().getCpus();
                mem += t.task().getResources().getMemMb();
            }
        }
        for (Offer o : state.offers().values()) {
            if (o.getFrameworkId().equals(frameworkId)) {
                cpus += o.getResources().getCpus();
                mem += o.getResources().getMemMb();
            }
        }
        return Math.max(cpus / totalCpus, mem / totalMem);
    }

    /** A canonical text of everything in a state, as StateReplayTest compares them. */
    static String digest(MasterState s) {
        return io.drover.master.StateDigest.of(s);
    }

    private static String firstDifference(String a, String b) {
        String[] la = a.split("\n");
        String[] lb = b.split("\n");
        for (int i = 0; i < Math.max(la.length, lb.length); i++) {
            String x = i < la.length ? la[i] : "<none>";
            String y = i < lb.length ? lb[i] : "<none>";
            if (!x.equals(y)) {
                return "live:     " + x + "\nreplayed: " + y;
            }
        }
        return "(same lines)";
    }

    // ---- what the simulated parties use ----

    long now() {
        return clock.millis();
    }

    boolean chaos() {
        return chaos;
    }

    void after(long delayMs, Runnable action) {
        queue.at(now() + delayMs, action);
    }

    /** A message to the master on a channel (a source's partition), arriving after a drawn delay. */
    void toMaster(String channel, Object input) {
        queue.onChannel("to-master-" + channel, now() + delayMs(), () -> arrived.add(input));
    }

    private long delayMs() {
        // Mostly quick, sometimes slow, as a busy broker is.
        return random.nextInt(10) == 0 ? 200 + random.nextInt(2_000) : 1 + random.nextInt(100);
    }

    double restartWhileRegistering() {
        return scenario.restartWhileRegistering();
    }

    long taskDurationMs() {
        return scenario.minTaskMs() + (long) (random.nextDouble() * (scenario.maxTaskMs() - scenario.minTaskMs()));
    }

    Header header(String principal) {
        return Header.newBuilder().setMessageId("m-" + messageSeq++).setPrincipal(principal).setTimestampMs(now()).build();
    }

    String newUpdateId() {
        return "u-" + updateSeq++;
    }

    void agentSent(TaskStatus status) {
        sentByAgents.put(status.getUpdateId(), status);
    }

    TaskStatus sentByAgent(String updateId) {
        return sentByAgents.get(updateId);
    }

    int step() {
        return step;
    }

    /** Throws an AssertionError that names the seed and step, so the failure can be replayed. */
    void fail(String what) {
        throw new AssertionError("simulation '" + scenario.name() + "' seed " + seed + " step " + step + " (t+"
                + (now() - START_MS) + " ms): " + what + "\n  replay with -Ddrover.sim.seed=" + seed);
    }

    private static <T extends SpecificRecord> T decode(Codec<T> codec, byte[] bytes) {
        try {
            return codec.decode(bytes);
        } catch (DecodeException e) {
            throw new AssertionError(e);
        }
    }
}
