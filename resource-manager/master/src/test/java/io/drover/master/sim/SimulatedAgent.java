package io.drover.master.sim;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.AcknowledgeUpdate;
import io.drover.api.protocol.AgentHeartbeat;
import io.drover.api.protocol.AgentMessage;
import io.drover.api.protocol.AgentRegistered;
import io.drover.api.protocol.KillTask;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.ReconcileTasks;
import io.drover.api.protocol.RegisterAgent;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.ShutdownAgent;
import io.drover.api.protocol.StatusMessage;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskRef;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fake node agent that behaves like {@code io.drover.agent.AgentLoop}: it registers until
 * answered, heartbeats, runs tasks for a drawn time, reports them through per-task FIFOs of
 * updates that it resends until acknowledged, skips commands meant for an earlier run, takes
 * only the AgentRegistered that answers its own run, answers ReconcileTasks as
 * {@code AgentLoop.onReconcile} does, and restarts when told to shut down. Chaos makes it go silent (a partition: it neither sends nor
 * reads, and reads what piled up when it comes back), die for good, or restart.
 */
final class SimulatedAgent {
    enum Mode { UP, SILENT, DEAD }

    private record Running(String frameworkId, TaskInfo task) {}

    private static final long REGISTER_RETRY_MS = 2_000;
    private static final long RESEND_MS = 3_000;

    final String id;
    final Resources total;
    private final Simulation sim;
    private Mode mode = Mode.UP;
    private long startedAtMs;
    /** Grows at every start; timers of an earlier run see a different number and do nothing. */
    private int run;
    private boolean registered;
    private boolean returns = true;
    private long lastRegisterSentMs = Long.MIN_VALUE / 2;
    private long lastResendMs;
    private long heartbeatSequence;
    private final Map<String, Running> running = new TreeMap<>();
    private final Map<String, ArrayDeque<TaskStatus>> pending = new TreeMap<>();
    /** Commands that reached a silent agent, read when it comes back. */
    private final List<Runnable> unread = new ArrayList<>();

    SimulatedAgent(String id, Resources total, Simulation sim) {
        this.id = id;
        this.total = total;
        this.sim = sim;
    }

    /** Starts a new run of the agent process: no tasks, no pending updates, not registered. */
    void start() {
        run++;
        startedAtMs = Math.max(sim.now(), startedAtMs + 1);
        registered = false;
        running.clear();
        pending.clear();
        unread.clear();
        lastRegisterSentMs = Long.MIN_VALUE / 2;
        int thisRun = run;
        tick(thisRun);
    }

    private void tick(int thisRun) {
        if (thisRun != run || mode == Mode.DEAD) {
            return;
        }
        long now = sim.now();
        if (mode == Mode.UP) {
            if (!registered) {
                if (now - lastRegisterSentMs >= REGISTER_RETRY_MS) {
                    lastRegisterSentMs = now;
                    send(RegisterAgent.newBuilder().setHostname("host-" + id).setTotal(total).setStartedAtMs(startedAtMs).build());
                    if (sim.random.nextDouble() < sim.restartWhileRegistering()) {
                        // Dies before the master answered, and a new process starts at once.
                        sim.after(1 + sim.random.nextInt(20), () -> {
                            if (thisRun == run) {
                                start();
                            }
                        });
                    }
                }
            } else {
                if (!(sim.chaos() && sim.random.nextInt(50) == 0)) { // else this heartbeat is lost
                    send(AgentHeartbeat.newBuilder().setSequence(heartbeatSequence++).build());
                }
                if (now - lastResendMs >= RESEND_MS) {
                    lastResendMs = now;
                    sendHeads();
                }
            }
            if (sim.chaos()) {
                chaos();
            }
        }
        sim.after(sim.config.agentHeartbeatIntervalMs(), () -> tick(thisRun));
    }

    private void chaos() {
        double roll = sim.random.nextDouble();
        if (roll < 0.0004) {
            // Mostly back before the master removes it (unreachable, then reachable again);
            // sometimes only after it was removed (told to shut down when it heartbeats).
            long forMs = sim.random.nextInt(8) == 0
                    ? sim.config.agentTimeoutMs() + sim.config.agentGoneTimeoutMs() + sim.random.nextInt(60_000)
                    : 5_000 + sim.random.nextInt(55_000);
            goSilent(forMs);
        } else if (roll < 0.00045) {
            mode = Mode.DEAD;
            returns = false;
            running.clear(); // the machine is gone, and its processes with it
        } else if (roll < 0.0006) {
            start();
        }
    }

    private void goSilent(long forMs) {
        mode = Mode.SILENT;
        int thisRun = run;
        sim.after(forMs, () -> {
            if (thisRun == run && mode == Mode.SILENT) {
                wake();
            }
        });
    }

    private void wake() {
        mode = Mode.UP;
        List<Runnable> toRead = List.copyOf(unread);
        unread.clear();
        toRead.forEach(Runnable::run);
        if (registered) {
            sendHeads();
        }
    }

    /** For the quiet end of a run: a silent agent that was to come back does so now. */
    void heal() {
        if (mode == Mode.SILENT && returns) {
            wake();
        }
    }

    /** A command from the master, sent at {@code sentAtMs} of the master's clock. */
    void onCommand(Object body, long sentAtMs) {
        if (mode == Mode.DEAD) {
            return;
        }
        if (mode == Mode.SILENT) {
            unread.add(() -> onCommand(body, sentAtMs));
            return;
        }
        if (!registered && !(body instanceof AgentRegistered)) {
            return; // meant for an earlier run, as AgentLoop decides
        }
        if (body instanceof AgentRegistered answer) {
            // The answer to another run's registration (AgentLoop.onRegistered; 0: an older master
            // that does not say), or written before this run started (the registration floor).
            boolean ours = answer.getStartedAtMs() == 0 || answer.getStartedAtMs() == startedAtMs;
            if (ours && sentAtMs >= startedAtMs && !registered) {
                registered = true;
                sendHeads();
            }
        } else if (body instanceof LaunchTasks launch) {
            for (TaskInfo task : launch.getTasks()) {
                launch(launch.getFrameworkId(), task);
            }
        } else if (body instanceof KillTask kill) {
            kill(kill);
        } else if (body instanceof AcknowledgeUpdate ack) {
            acknowledge(ack);
        } else if (body instanceof ReconcileTasks reconcile) {
            reconcile(reconcile);
        } else if (body instanceof ShutdownAgent) {
            int thisRun = ++run; // stops everything of the current run
            registered = false;
            running.clear();
            pending.clear();
            sim.after(1_000 + sim.random.nextInt(4_000), () -> {
                if (thisRun == run && mode == Mode.UP) {
                    start();
                }
            });
        } else {
            sim.fail("agent " + id + " got a command of unknown kind " + body);
        }
    }

    private void launch(String frameworkId, TaskInfo task) {
        String key = key(frameworkId, task.getTaskId());
        if (running.containsKey(key) || pending.containsKey(key)) {
            sim.fail("agent " + id + " was asked to launch task " + key + " twice");
        }
        running.put(key, new Running(frameworkId, task));
        // 1b. What runs here never needs more than the agent has.
        if (!ResourceMath.fits(used(), total)) {
            sim.fail("agent " + id + " runs tasks that need " + ResourceMath.format(used()) + " of its " + ResourceMath.format(total)
                    + " after launching " + key);
        }
        int thisRun = run;
        sim.after(50 + sim.random.nextInt(2_000), () -> {
            if (thisRun == run && running.containsKey(key)) {
                enqueue(status(frameworkId, task.getTaskId(), TaskState.RUNNING, TaskStatusReason.NONE, null));
            }
        });
        long durationMs = sim.taskDurationMs();
        boolean fails = sim.random.nextInt(5) == 0;
        sim.after(durationMs, () -> {
            if (thisRun == run && running.remove(key) != null) {
                enqueue(status(frameworkId, task.getTaskId(), fails ? TaskState.FAILED : TaskState.FINISHED,
                        TaskStatusReason.COMMAND_EXITED, fails ? 1 : 0));
            }
        });
    }

    private void kill(KillTask kill) {
        String key = key(kill.getFrameworkId(), kill.getTaskId());
        if (running.containsKey(key)) {
            int thisRun = run;
            sim.after(sim.random.nextInt((int) Math.max(1, Math.min(kill.getGracePeriodMs(), 1_000))), () -> {
                if (thisRun == run && running.remove(key) != null) {
                    enqueue(status(kill.getFrameworkId(), kill.getTaskId(), TaskState.KILLED, TaskStatusReason.KILLED_BY_FRAMEWORK, 143));
                }
            });
        } else if (!pending.containsKey(key)) {
            enqueue(status(kill.getFrameworkId(), kill.getTaskId(), TaskState.LOST, TaskStatusReason.NONE, null));
        }
    }

    /**
     * The master lost touch and is back: a fresh update for each task it asks about, as
     * AgentLoop.onReconcile does. A running task gets a fresh RUNNING even with updates pending
     * (the framework may have seen those already, and drops them as repeats); an ended one has
     * its terminal update pending, which says it all.
     */
    private void reconcile(ReconcileTasks reconcile) {
        for (TaskRef ref : reconcile.getTasks()) {
            String key = key(ref.getFrameworkId(), ref.getTaskId());
            if (running.containsKey(key)) {
                enqueue(status(ref.getFrameworkId(), ref.getTaskId(), TaskState.RUNNING, TaskStatusReason.RECONCILIATION, null));
            } else if (!pending.containsKey(key)) {
                enqueue(status(ref.getFrameworkId(), ref.getTaskId(), TaskState.LOST, TaskStatusReason.RECONCILIATION, null));
            }
        }
    }

    private void acknowledge(AcknowledgeUpdate ack) {
        String key = key(ack.getFrameworkId(), ack.getTaskId());
        ArrayDeque<TaskStatus> queue = pending.get(key);
        if (queue == null || !queue.peekFirst().getUpdateId().equals(ack.getUpdateId())) {
            return; // stale or repeated
        }
        queue.pollFirst();
        if (queue.isEmpty()) {
            pending.remove(key);
        } else if (registered && mode == Mode.UP) {
            sendStatuses(List.of(queue.peekFirst()));
        }
    }

    private TaskStatus status(String frameworkId, String taskId, TaskState state, TaskStatusReason reason, Integer exitCode) {
        return TaskStatus.newBuilder()
                .setTaskId(taskId).setFrameworkId(frameworkId).setAgentId(id)
                .setState(state).setReason(reason)
                .setUpdateId(sim.newUpdateId())
                .setTimestampMs(sim.now()).setExitCode(exitCode)
                .build();
    }

    private void enqueue(TaskStatus status) {
        sim.agentSent(status);
        ArrayDeque<TaskStatus> queue = pending.computeIfAbsent(key(status.getFrameworkId(), status.getTaskId()), k -> new ArrayDeque<>());
        queue.addLast(status);
        if (queue.size() == 1 && registered && mode == Mode.UP) {
            sendStatuses(List.of(status));
        }
    }

    private void sendHeads() {
        List<TaskStatus> heads = new ArrayList<>();
        pending.values().forEach(q -> heads.add(q.peekFirst()));
        if (!heads.isEmpty()) {
            sendStatuses(heads);
        }
    }

    private void sendStatuses(List<TaskStatus> updates) {
        sim.toMaster("agent-" + id, StatusMessage.newBuilder().setHeader(sim.header(id)).setAgentId(id).setUpdates(updates).build());
    }

    private void send(Object body) {
        sim.toMaster("agent-" + id, AgentMessage.newBuilder().setHeader(sim.header(id)).setAgentId(id).setBody(body).build());
    }

    /** What the tasks running here now use. */
    Resources used() {
        Resources used = ResourceMath.zero();
        for (Running r : running.values()) {
            used = ResourceMath.add(used, r.task().getResources());
        }
        return used;
    }

    Mode mode() {
        return mode;
    }

    boolean registered() {
        return registered;
    }

    /** Updates waiting for acknowledgement, all tasks together. */
    int pendingUpdates() {
        int n = 0;
        for (ArrayDeque<TaskStatus> q : pending.values()) {
            n += q.size();
        }
        return n;
    }

    /** Framework id and task id of each task running here. */
    List<String[]> runningTasks() {
        List<String[]> tasks = new ArrayList<>();
        running.values().forEach(r -> tasks.add(new String[] {r.frameworkId(), r.task().getTaskId()}));
        return tasks;
    }

    long startedAtMs() {
        return startedAtMs;
    }

    private static String key(String frameworkId, String taskId) {
        return frameworkId + "/" + taskId;
    }
}
