package io.drover.job.service;

import io.drover.api.scheduler.TaskSpec;
import io.drover.connectors.JobCommitter;
import io.drover.connectors.Split;
import io.drover.job.executor.TaskData;
import io.drover.job.executor.TaskOutcome;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.StageInput;
import io.drover.job.plan.StageOutput;
import io.drover.job.plan.StagePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The scheduling state of one running job in the service: per stage, per task, whether it is done,
 * its attempts running, its failures, and where its map output is. Pure bookkeeping, driven by the
 * service's thread: it decides what may run and what an update means, and never sends anything.
 *
 * <p>A task may run when every parent stage of its stage is complete. A failed attempt puts the
 * task back, up to {@code maxAttempts} attempts; a failure caused by a lost map output also puts
 * that map task back, with the other needed outputs on its agent (the map stage is incomplete
 * again, so its children wait for it).
 */
final class JobRun {

    /** A launched attempt. */
    record Attempt(String taskId, int stage, int partition, int attempt, String agentId, long startedMs) {}

    /**
     * Attempt numbers each start of a run may use: a run resumed by a restarted service numbers its
     * attempts from {@code starts * ATTEMPTS_PER_START}, above any its earlier starts used (at most
     * {@code 2 * maxAttempts + 2 <= 202} per task).
     */
    static final int ATTEMPTS_PER_START = 1000;

    /** What the service must do after an update. */
    enum Verdict { NOTHING, STAGE_DONE, JOB_DONE, JOB_FAILED }

    static final class TaskState {
        int nextAttempt;
        int failures;
        boolean done;
        TaskData.Output output;
        /** What the succeeded attempt wrote (records, map output bytes). */
        long records;
        long bytes;
        long pendingSinceMs;
        final Set<String> running = new HashSet<>(2);
        /** When the oldest running attempt started, and on which agent. */
        long runningSinceMs;
        String runningOn;
    }

    static final class StageState {
        final StagePlan plan;
        final TaskState[] tasks;
        final List<List<String>> preferredHosts;
        int done;
        boolean started;
        long startedMs;
        long finishedMs;
        long records;
        long bytes;
        int failedAttempts;
        Set<String> preferredAgents;
        /** Durations of the stage's finished tasks, for speculation. */
        final List<Long> durationsMs = new ArrayList<>();

        StageState(StagePlan plan) {
            this.plan = plan;
            this.tasks = new TaskState[plan.partitions()];
            for (int i = 0; i < tasks.length; i++) {
                tasks[i] = new TaskState();
            }
            List<List<String>> hosts = new ArrayList<>();
            if (plan.input() instanceof StageInput.FromSource source) {
                for (byte[] split : source.splits()) {
                    hosts.add(Split.fromBytes(split).preferredHosts());
                }
            }
            this.preferredHosts = hosts;
        }

        boolean complete() {
            return done == tasks.length;
        }
    }

    final String jobId;
    final String runId;
    final String name;
    final JobPlan plan;
    final String planUri;
    final JobCommitter<?> committer;
    final String output;
    final long startedMs;
    final int maxAttempts;
    /** Whether stragglers get speculative copies (see {@link JobServiceConfig#speculation}). */
    boolean speculation;
    final StageState[] stages;
    final Map<String, Attempt> attempts = new LinkedHashMap<>();
    /** Agents where this job's executor was launched and has not been reported gone. */
    final Set<String> executorAgents = new HashSet<>();
    /** The executor launched on each agent (the same spec for every task there). */
    final Map<String, TaskSpec.ExecutorSpec> executorSpecs = new HashMap<>();
    /** The executors' class path (Drover's). */
    final String classPath;
    /** A user job's jar and its SHA-256, which executors load the plan with; empty for a built-in job. */
    String jarUri = "";
    String jarSha256 = "";
    /** What the agents fetch into the sandbox of this job's executor before starting it: the plan, then the jar if any. */
    List<TaskSpec.Uri> executorUris = List.of();
    /** The SHA-256 of every file this run published on the service's artifact server, withdrawn when it ends. */
    final List<String> published = new ArrayList<>();
    String failure;
    /** The first attempt number of this start of the run (0 unless resumed). */
    int attemptBase;
    /** Whether this is a run resumed by a restarted service. */
    boolean resumed;
    /** When the service read the submission, finished planning, launched the first task, saw a task running; 0 until then. */
    long receivedMs;
    long plannedMs;
    long firstLaunchMs;
    long firstRunningMs;
    boolean progressChanged = true;
    long lastProgressMs;

    JobRun(String jobId, String runId, String name, JobPlan plan, String planUri, JobCommitter<?> committer,
            String output, String classPath, long nowMs, int maxAttempts) {
        this.classPath = classPath;
        this.jobId = jobId;
        this.runId = runId;
        this.name = name;
        this.plan = plan;
        this.planUri = planUri;
        this.committer = committer;
        this.output = output;
        this.startedMs = nowMs;
        this.maxAttempts = maxAttempts;
        this.stages = new StageState[plan.stages().size()];
        for (StagePlan s : plan.stages()) {
            stages[s.id()] = new StageState(s);
        }
        for (StageState s : stages) {
            if (ready(s)) {
                start(s, nowMs);
            }
        }
    }

    int running() {
        return attempts.size();
    }

    boolean ready(StageState s) {
        for (int p : s.plan.parents()) {
            if (!stages[p].complete()) {
                return false;
            }
        }
        return true;
    }

    private void start(StageState s, long nowMs) {
        if (!s.started) {
            s.started = true;
            s.startedMs = nowMs;
        }
        for (TaskState t : s.tasks) {
            if (!t.done && t.running.isEmpty()) {
                t.pendingSinceMs = nowMs;
            }
        }
        s.preferredAgents = null;
    }

    boolean complete() {
        return stages[stages.length - 1].complete();
    }

    /** Whether some task could be launched now. */
    boolean hasPending() {
        for (StageState s : stages) {
            if (!s.complete() && ready(s)) {
                for (TaskState t : s.tasks) {
                    if (!t.done && t.running.isEmpty()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The first task that may run now on an agent ({@code agentId} on {@code host}): its preferred
     * hosts or agents match, it has none, or it waited {@code localityWaitMs} for them; null if none.
     */
    int[] pick(String agentId, String host, long nowMs, long localityWaitMs) {
        for (StageState s : stages) {
            if (s.complete() || !ready(s)) {
                continue;
            }
            for (int p = 0; p < s.tasks.length; p++) {
                TaskState t = s.tasks[p];
                if (t.done || !t.running.isEmpty()) {
                    continue;
                }
                if (nowMs - t.pendingSinceMs >= localityWaitMs || local(s, p, agentId, host)) {
                    return new int[] {s.plan.id(), p};
                }
            }
        }
        return speculation ? straggler(agentId, nowMs) : null;
    }

    /** A task that runs much longer than its stage's finished ones, for a copy on another agent. */
    private int[] straggler(String agentId, long nowMs) {
        for (StageState s : stages) {
            if (s.complete() || !ready(s) || s.durationsMs.isEmpty()
                    || s.done < JobServiceConfig.SPECULATION_QUANTILE * s.tasks.length) {
                continue;
            }
            List<Long> sorted = new ArrayList<>(s.durationsMs);
            sorted.sort(null);
            long threshold = Math.max(JobServiceConfig.SPECULATION_MIN_MS,
                    (long) (JobServiceConfig.SPECULATION_MULTIPLIER * sorted.get(sorted.size() / 2)));
            for (int p = 0; p < s.tasks.length; p++) {
                TaskState t = s.tasks[p];
                if (!t.done && t.running.size() == 1 && !agentId.equals(t.runningOn)
                        && nowMs - t.runningSinceMs > threshold && t.nextAttempt < 2 * maxAttempts + 1) {
                    return new int[] {s.plan.id(), p};
                }
            }
        }
        return null;
    }

    /** The other running attempts of an attempt's task (to kill once it finished). */
    List<String> otherAttempts(Attempt a) {
        List<String> others = new ArrayList<>(stages[a.stage()].tasks[a.partition()].running);
        others.remove(a.taskId());
        return others;
    }

    private boolean local(StageState s, int partition, String agentId, String host) {
        if (!s.preferredHosts.isEmpty()) {
            List<String> hosts = s.preferredHosts.get(partition);
            return hosts.isEmpty() || hosts.contains(host);
        }
        if (s.preferredAgents == null) {
            s.preferredAgents = agentsWithMostOutput(s);
        }
        return s.preferredAgents.isEmpty() || s.preferredAgents.contains(agentId);
    }

    /** The agents holding the most map output this stage reads (counted in map tasks). */
    private Set<String> agentsWithMostOutput(StageState s) {
        Map<String, Integer> counts = new HashMap<>();
        for (int p : s.plan.parents()) {
            for (TaskState t : stages[p].tasks) {
                if (t.output != null) {
                    counts.merge(t.output.agentId(), 1, Integer::sum);
                }
            }
        }
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        Set<String> best = new HashSet<>();
        counts.forEach((a, n) -> {
            if (n == max) {
                best.add(a);
            }
        });
        return best;
    }

    /** Records a launch of the next attempt of a task and returns its task data. */
    TaskData launch(String frameworkId, int stage, int partition, String taskId, String agentId,
            Function<String, TaskData.Agent> agentInfo, long nowMs) {
        TaskState t = stages[stage].tasks[partition];
        int attempt = attemptBase + t.nextAttempt++;
        if (t.running.isEmpty()) {
            t.runningSinceMs = nowMs;
            t.runningOn = agentId;
        }
        t.running.add(taskId);
        attempts.put(taskId, new Attempt(taskId, stage, partition, attempt, agentId, nowMs));
        Map<Integer, List<TaskData.Output>> outputs = new LinkedHashMap<>();
        Map<String, TaskData.Agent> agents = new LinkedHashMap<>();
        for (int parent : stages[stage].plan.parents()) {
            List<TaskData.Output> list = new ArrayList<>();
            for (TaskState m : stages[parent].tasks) {
                list.add(m.output);
                agents.computeIfAbsent(m.output.agentId(), agentInfo);
            }
            outputs.put(parent, list);
        }
        if (!outputs.isEmpty()) {
            // A reducer compares its own host with the map outputs' to read those of its host from disk.
            agents.computeIfAbsent(agentId, agentInfo);
        }
        return new TaskData(frameworkId, runId, planUri, stage, partition, attempt, agents, outputs, jarUri, jarSha256);
    }

    /** The name of the next attempt's task id. */
    String nextTaskId(int stage, int partition) {
        return runId + "-s" + stage + "-p" + partition + "-a" + (attemptBase + stages[stage].tasks[partition].nextAttempt);
    }

    /** An attempt finished well on {@code agentId}. */
    Verdict finished(Attempt a, TaskOutcome outcome, long nowMs) {
        StageState s = stages[a.stage()];
        TaskState t = s.tasks[a.partition()];
        t.running.remove(a.taskId());
        progressChanged = true;
        if (t.done) {
            return Verdict.NOTHING; // a duplicate attempt; the first one's output stands
        }
        t.done = true;
        t.output = new TaskData.Output(a.attempt(), a.agentId());
        s.done++;
        s.durationsMs.add(nowMs - a.startedMs());
        t.records = Math.max(0, outcome.records());
        t.bytes = outcome.bytes();
        s.records += t.records;
        s.bytes += t.bytes;
        if (!s.complete()) {
            return Verdict.NOTHING;
        }
        s.finishedMs = nowMs;
        if (complete()) {
            return Verdict.JOB_DONE;
        }
        for (StageState child : stages) {
            if (!child.complete() && child.plan.parents().contains(s.plan.id()) && ready(child)) {
                start(child, nowMs);
            }
        }
        return Verdict.STAGE_DONE;
    }

    /**
     * Marks a map task done with an output an earlier start of this run recorded, before anything
     * runs; call {@link #restored} after the last one. Ignored for a task this plan lacks, one of a
     * stage that writes no map output, or one done already.
     *
     * @return whether the task was marked done
     */
    boolean restore(int stage, int partition, int attempt, String agentId, long records, long bytes) {
        if (stage < 0 || stage >= stages.length || partition < 0 || partition >= stages[stage].tasks.length
                || attempt < 0 || agentId == null || agentId.isEmpty()
                || !(stages[stage].plan.output() instanceof StageOutput.Shuffle)) {
            return false;
        }
        StageState s = stages[stage];
        TaskState t = s.tasks[partition];
        if (t.done) {
            return false;
        }
        t.done = true;
        t.output = new TaskData.Output(attempt, agentId);
        t.records = Math.max(0, records);
        t.bytes = Math.max(0, bytes);
        s.done++;
        s.records += t.records;
        s.bytes += t.bytes;
        progressChanged = true;
        return true;
    }

    /** After {@link #restore}: the stages whose parents are now complete start. */
    void restored(long nowMs) {
        for (StageState s : stages) {
            if (s.complete()) {
                s.startedMs = s.started ? s.startedMs : nowMs;
                s.started = true;
                s.finishedMs = nowMs;
            } else if (ready(s)) {
                start(s, nowMs);
            }
            s.preferredAgents = null;
        }
    }

    /** The succeeded tasks of a stage with their outputs, in partition order. */
    List<Integer> donePartitions(int stage) {
        List<Integer> done = new ArrayList<>();
        TaskState[] tasks = stages[stage].tasks;
        for (int p = 0; p < tasks.length; p++) {
            if (tasks[p].done && tasks[p].output != null) {
                done.add(p);
            }
        }
        return done;
    }

    /**
     * An attempt ended without success. Returns JOB_FAILED (with {@link #failure} set) when the task
     * has used all its attempts; a lost map output it names is put back to run again.
     *
     * @param countsAgainstTask false when the attempt was lost with its agent or executor rather than
     *     failing by itself (it is retried without using up an attempt, within a bound)
     */
    Verdict failed(Attempt a, String message, TaskOutcome outcome, boolean countsAgainstTask, long nowMs) {
        StageState s = stages[a.stage()];
        TaskState t = s.tasks[a.partition()];
        t.running.remove(a.taskId());
        progressChanged = true;
        if (t.done) {
            return Verdict.NOTHING; // a losing duplicate, killed
        }
        s.failedAttempts++;
        if (!t.running.isEmpty()) {
            t.runningSinceMs = nowMs;
            t.runningOn = attempts.values().stream().filter(o -> t.running.contains(o.taskId())).map(Attempt::agentId)
                    .findFirst().orElse(null);
        }
        if (outcome.fetchFailed()) {
            fetchFailed(outcome.fetchStage(), outcome.fetchMap(), nowMs);
        }
        t.failures += countsAgainstTask ? 1 : 0;
        // Lost attempts are retried too, but never more than twice the attempt budget in all.
        if (t.failures >= maxAttempts || t.nextAttempt >= 2 * maxAttempts + 2) {
            failure = message + " (after " + t.nextAttempt + " attempts)";
            return Verdict.JOB_FAILED;
        }
        t.pendingSinceMs = nowMs;
        return Verdict.NOTHING;
    }

    /** A map output is gone: its task runs again, and the stages reading it wait for it. */
    void lose(int stage, int map, long nowMs) {
        if (stage < 0 || stage >= stages.length || map < 0 || map >= stages[stage].tasks.length) {
            return;
        }
        StageState s = stages[stage];
        TaskState t = s.tasks[map];
        if (!t.done) {
            return;
        }
        t.done = false;
        t.output = null;
        s.records -= t.records;
        s.bytes -= t.bytes;
        t.records = 0;
        t.bytes = 0;
        t.pendingSinceMs = nowMs;
        s.done--;
        progressChanged = true;
        for (StageState other : stages) {
            other.preferredAgents = null;
        }
    }

    /**
     * A reducer could not read a map output. Its task runs again, and so does every other map
     * output its agent holds that is still needed: the usual cause is an agent that is gone, and
     * losing its outputs one failed fetch at a time would cost each reducer an attempt per output.
     */
    void fetchFailed(int stage, int map, long nowMs) {
        if (stage < 0 || stage >= stages.length || map < 0 || map >= stages[stage].tasks.length) {
            return;
        }
        TaskData.Output o = stages[stage].tasks[map].output;
        lose(stage, map, nowMs);
        if (o != null) {
            outputsLost(o.agentId(), nowMs);
        }
    }

    /**
     * Map outputs on a lost agent, of stages some unfinished stage still reads, run again.
     *
     * @return how many were lost
     */
    int agentLost(String agentId, long nowMs) {
        executorAgents.remove(agentId);
        return outputsLost(agentId, nowMs);
    }

    /** The still-needed map outputs on an agent are gone: their tasks run again. */
    private int outputsLost(String agentId, long nowMs) {
        int lost = 0;
        for (StageState s : stages) {
            boolean needed = false;
            for (StageState child : stages) {
                if (!child.complete() && child.plan.parents().contains(s.plan.id())) {
                    needed = true;
                }
            }
            if (!needed) {
                continue;
            }
            for (int m = 0; m < s.tasks.length; m++) {
                TaskData.Output o = s.tasks[m].output;
                if (o != null && o.agentId().equals(agentId)) {
                    lose(s.plan.id(), m, nowMs);
                    lost++;
                }
            }
        }
        return lost;
    }
}
