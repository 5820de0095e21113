package io.drover.job.service;

import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.JobEventKind;
import io.drover.api.protocol.JobState;
import io.drover.api.protocol.JobSubmission;
import io.drover.api.protocol.StageProgress;
import io.drover.api.scheduler.OfferView;
import io.drover.api.scheduler.ResourceSpec;
import io.drover.api.scheduler.SchedulerClient;
import io.drover.api.scheduler.SchedulerConfig;
import io.drover.api.scheduler.SchedulerEvent;
import io.drover.api.scheduler.TaskPhase;
import io.drover.api.scheduler.TaskSpec;
import io.drover.api.scheduler.TaskUpdate;
import io.drover.executor.ChronicleFlags;
import io.drover.job.executor.JobExecutorMain;
import io.drover.job.executor.TaskData;
import io.drover.job.executor.TaskOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running job service: one framework ({@code drover-jobs}) running many jobs. It reads
 * submissions and kill requests from {@code drover.jobs}, plans each job ({@link JobLauncher}),
 * and shares its offers among the running jobs, fewest running tasks first. On each offer it packs
 * tasks while they fit (a task's cpus and memory, plus the job's executor the first time the job
 * uses that agent), preferring for each task its split's hosts or the agent holding most of its map
 * input, for at most {@code localityWaitMs}; one executor per job per agent. It declines offers it
 * cannot use with a filter, suppresses offers when no job has work, and revives when work appears.
 *
 * <p>A failed attempt is retried up to {@code maxAttempts}; an attempt lost with its executor or
 * agent is retried without using an attempt (bounded too), and so is one on an agent the master
 * reports unreachable, without waiting for its removal; a reducer that could not fetch a map output
 * has that map task run again, with every other needed map output on the same agent, as do the map
 * outputs on an agent that is removed or unreachable. A task out of attempts
 * fails its job with its reason. Progress goes to {@code drover.jobs} as PROGRESS events, the end
 * as a STATE event with the per-stage summary.
 *
 * <p>While a job runs, each completed map stage's outputs (agent, attempt, sizes) go to {@code
 * drover.jobs} as MAP_OUTPUTS events ({@link JobCheckpoint}). On start the service reads {@code
 * drover.jobs} from the beginning: a job submitted and never ended (the previous service stopped
 * while it ran or waited) resumes its run under the same run id and plan (the plan file in the state
 * directory), with the recorded map tasks done, so only the rest runs; its attempts are numbered
 * above those of earlier starts. The run's staged, uncommitted sink output is deleted and every sink
 * task runs again. A recorded output that is gone shows as a reducer's fetch failure, and is
 * recomputed as any lost output is. A job whose run left no run id or plan runs from the start under
 * a new run id ({@code <jobId>.r<n>}). Tasks the master still reports that this service did not
 * launch (the interrupted start's) are killed.
 */
public final class JobService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final double REFUSE_BUSY_SECONDS = 1;
    private static final double REFUSE_IDLE_SECONDS = 30;
    /**
     * How long the master keeps the framework and its tasks while no service instance is
     * connected: a restarted service within this time takes the framework over.
     */
    static final long FAILOVER_TIMEOUT_MS = 3_600_000;
    /** A running job's progress is written at least this often, so followers know the service lives. */
    static final long PROGRESS_KEEPALIVE_MS = 30_000;
    /** Most submissions waiting for a slot. */
    private static final int MAX_QUEUED = 10_000;

    private final JobServiceConfig config;
    private final Clock clock;
    private final JobLauncher launcher;
    /** Serves plans and user jars to the agents. */
    private final ArtifactServer artifacts;
    /** The executors' class archive; null when turned off or before the service runs. */
    private volatile ExecutorClassArchive classArchive;
    private final Map<String, JobRun> running = new LinkedHashMap<>();
    private final Map<String, JobRun> byTaskId = new HashMap<>();
    private final ArrayDeque<JobLauncher.Queued> queued = new ArrayDeque<>();
    private final Map<String, String> httpByAgent = new HashMap<>();
    /** Each agent's host name (from its offers) and shuffle directory (from its finished tasks). */
    private final Map<String, String> hostByAgent = new HashMap<>();
    private final Map<String, String> shuffleDirByAgent = new HashMap<>();
    /** The most CPUs each agent has offered at once: an estimate of its size. */
    private final Map<String, Double> agentCpus = new HashMap<>();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile Throwable failed;
    private Thread thread;
    private SchedulerClient client;
    private JobsTopic jobs;
    private boolean suppressed;
    /** Some offer was declined with the long filter since offers were last revived. */
    private boolean declinedIdle;
    private long nextProgressMs;

    /**
     * @throws java.io.UncheckedIOException when it cannot listen at {@code config.httpListen()}
     */
    public JobService(JobServiceConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        try {
            this.artifacts = new ArtifactServer(config.httpListen());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot serve plans and jars at " + config.httpListen() + ": " + e.getMessage(), e);
        }
        this.launcher = new JobLauncher(config, artifacts);
    }

    /** Starts the service's thread; {@link #awaitReady} waits for its subscription. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(this::run, "drover-job-service");
        thread.start();
    }

    /**
     * Waits until the service has subscribed and read the jobs log.
     *
     * @throws IllegalStateException if it failed to start
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        boolean ok = subscribed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (failed != null) {
            throw new IllegalStateException("the job service failed: " + failed.getMessage(), failed);
        }
        return ok;
    }

    /** Whether the service's thread is running. */
    public boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    private void run() {
        try {
            Files.createDirectories(config.stateDir().resolve("plans"));
            if (config.executorClassArchive()) {
                classArchive = new ExecutorClassArchive(config.stateDir(), config.classPath(), artifacts);
            }
            client = new SchedulerClient(new SchedulerConfig(config.bootstrap(), config.frameworkId(), "drover job service",
                    System.getProperty("user.name", "drover"), "*", FAILOVER_TIMEOUT_MS, clock));
            client.subscribe(SchedulerConfig.DEFAULT_SUBSCRIBE_TIMEOUT);
            jobs = new JobsTopic(config.bootstrap(), "drover-job-service", config.frameworkId(), clock);
            recover(jobs.readToEnd());
            client.reconcile(List.of());
            subscribed.countDown();
            loop();
        } catch (Throwable t) {
            failed = t;
            LOG.error("the job service stopped: {}", t.toString(), t);
        } finally {
            subscribed.countDown();
            shutDown();
        }
    }

    /** Rebuilds the queue from the log: submitted jobs with no end resume (or run again). */
    private void recover(List<JobEvent> history) {
        Map<String, JobEvent> submits = new LinkedHashMap<>();
        Map<String, Integer> runs = new HashMap<>();
        JobCheckpoint checkpoint = new JobCheckpoint();
        for (JobEvent e : history) {
            String id = e.getJobId();
            checkpoint.replay(e);
            if (e.getKind() == JobEventKind.SUBMIT) {
                submits.put(id, e);
            } else if (e.getKind() == JobEventKind.STATE && e.getState() == JobState.RUNNING) {
                runs.merge(id, 1, Integer::sum);
            } else if (terminal(e.getState()) && e.getKind() != JobEventKind.PROGRESS) {
                submits.remove(id);
            }
        }
        // A kill asked for while no service ran still counts.
        for (JobEvent e : history) {
            if (e.getKind() == JobEventKind.KILL && submits.remove(e.getJobId()) != null) {
                send(e.getJobId(), e.getName(), JobState.KILLED, "killed on request of " + e.getHeader().getPrincipal()
                        + " while no job service ran", null);
            }
        }
        for (JobEvent e : submits.values()) {
            int run = runs.getOrDefault(e.getJobId(), 0);
            JobLauncher.Resume resume = checkpoint.resume(e.getJobId());
            LOG.info("resuming job {} ({}): {}", e.getJobId(), e.getName(), resume == null ? "from the start, start " + run
                    : "run " + resume.runId() + " with " + resume.outputs().size() + " map outputs recorded");
            queued.add(new JobLauncher.Queued(e.getJobId(), e.getName(), e.getSubmission(), run, clock.millis(), resume));
        }
    }

    static boolean terminal(JobState s) {
        return s == JobState.SUCCEEDED || s == JobState.FAILED || s == JobState.KILLED;
    }

    private void loop() {
        while (!stopRequested) {
            startQueued();
            for (SchedulerEvent event : client.poll(POLL)) {
                handle(event);
            }
            for (JobEvent e : jobs.poll(Duration.ZERO)) {
                handle(e);
            }
            startQueued();
            publishProgress(false);
            adjustOffers();
        }
    }

    private void handle(JobEvent e) {
        if (e.getKind() == JobEventKind.SUBMIT) {
            if (running.containsKey(e.getJobId()) || queued.stream().anyMatch(q -> q.jobId().equals(e.getJobId()))) {
                return;
            }
            if (queued.size() >= MAX_QUEUED) {
                send(e.getJobId(), e.getName(), JobState.FAILED, "the job service has " + MAX_QUEUED + " jobs waiting", null);
                return;
            }
            queued.add(new JobLauncher.Queued(e.getJobId(), e.getName(), e.getSubmission(), 0, clock.millis()));
            send(e.getJobId(), e.getName(), JobState.SUBMITTED, queued.size() + running.size() <= config.maxJobs()
                    ? "accepted by the job service" : "waiting behind " + (queued.size() - 1) + " jobs", null);
        } else if (e.getKind() == JobEventKind.KILL) {
            JobRun job = running.get(e.getJobId());
            if (job != null) {
                end(job, JobState.KILLED, "killed on request of " + e.getHeader().getPrincipal());
            } else if (queued.removeIf(q -> q.jobId().equals(e.getJobId()))) {
                send(e.getJobId(), e.getName(), JobState.KILLED, "killed before it started", null);
            }
        }
    }

    private void startQueued() {
        while (running.size() < config.maxJobs() && !queued.isEmpty()) {
            JobLauncher.Queued q = queued.poll();
            long now = clock.millis();
            try {
                JobRun job = launcher.launch(q, now, defaultSplits());
                job.receivedMs = q.receivedMs();
                job.plannedMs = clock.millis();
                String resumed = "";
                if (job.resumed) {
                    resumed = " resumed, " + resume(job, q.resume()) + " map tasks kept";
                }
                running.put(job.jobId, job);
                send(job.jobId, job.name, JobState.RUNNING, "run " + job.runId + resumed + ": " + job.stages.length + " stages",
                        job);
                LOG.info("job {} ({}) runs as {} with {} stages", job.jobId, job.name, job.runId, job.stages.length);
            } catch (JobLauncher.AlreadyCommitted e) {
                LOG.info("job {}: {}", q.jobId(), e.getMessage());
                send(q.jobId(), q.name(), JobState.SUCCEEDED, e.getMessage(), null, e.output);
            } catch (JobLauncher.InvalidSubmission e) {
                send(q.jobId(), q.name(), JobState.FAILED, "invalid job: " + e.getMessage(), null);
            } catch (RuntimeException e) {
                LOG.warn("job {} cannot start", q.jobId(), e);
                send(q.jobId(), q.name(), JobState.FAILED, "cannot start: " + e, null);
            }
        }
    }

    /**
     * Marks the map outputs a run recorded done, and learns the agents' addresses from them (until
     * their next finished task says otherwise).
     *
     * @return how many map tasks were kept
     */
    private int resume(JobRun job, JobLauncher.Resume resume) {
        for (io.drover.api.protocol.MapOutput o : resume.outputs().values()) {
            if (!o.getAgentHttp().isEmpty()) {
                httpByAgent.putIfAbsent(o.getAgentId(), o.getAgentHttp());
            }
            if (!o.getAgentHost().isEmpty()) {
                hostByAgent.putIfAbsent(o.getAgentId(), o.getAgentHost());
            }
            if (!o.getShuffleDir().isEmpty()) {
                shuffleDirByAgent.putIfAbsent(o.getAgentId(), o.getShuffleDir());
            }
        }
        int kept = JobCheckpoint.restore(job, resume.outputs(), clock.millis());
        LOG.info("job {} resumes run {}: {} of {} recorded map outputs kept", job.jobId, job.runId, kept,
                resume.outputs().size());
        return kept;
    }

    /** Records where a completed map stage's outputs are, for a restarted service to keep them. */
    private void recordOutputs(JobRun job, int stage) {
        for (List<io.drover.api.protocol.MapOutput> batch : JobCheckpoint.outputsOf(job, stage, this::agentInfo)) {
            JobEvent e = jobs.event(job.jobId, job.name, JobEventKind.MAP_OUTPUTS, JobState.RUNNING, "", null, List.of(),
                    clock.millis() - job.startedMs, job.output);
            e.setRunId(job.runId);
            e.setMapOutputs(batch);
            try {
                jobs.send(e);
            } catch (IllegalStateException ex) {
                // Only a restart loses by it: that stage's tasks would run again.
                LOG.warn("cannot record the map outputs of job {} stage {}: {}", job.jobId, stage, ex.getMessage());
                return;
            }
        }
    }

    /**
     * Splits asked of a source when the submission names no partition count: twice the tasks the
     * cluster runs at once (as far as offers showed it), so each task has enough work to pay for its
     * launch, between 2 and {@link io.drover.job.plan.PlanOptions#DEFAULT_SPLITS}; sources still
     * keep their minimum split size.
     */
    int defaultSplits() {
        if (agentCpus.isEmpty()) {
            return io.drover.job.plan.PlanOptions.DEFAULT_SPLITS;
        }
        double slots = 0;
        for (double cpus : agentCpus.values()) {
            slots += Math.floor(cpus / config.taskCpus() + 1e-9);
        }
        return (int) Math.max(2, Math.min(io.drover.job.plan.PlanOptions.DEFAULT_SPLITS, 2 * slots));
    }

    private void handle(SchedulerEvent event) {
        if (event instanceof SchedulerEvent.OffersReceived offers) {
            for (OfferView offer : offers.offers()) {
                place(offer);
            }
        } else if (event instanceof SchedulerEvent.TaskUpdated updated) {
            update(updated.update());
        } else if (event instanceof SchedulerEvent.AgentLost lost) {
            agentLost(lost.agentId(), clock.millis());
        } else if (event instanceof SchedulerEvent.CallRefused refused) {
            LOG.warn("the master refused {}: {}", refused.callType(), refused.message());
        }
    }

    /** An agent was removed or is unreachable: every job's map outputs there run again. */
    private void agentLost(String agentId, long now) {
        agentCpus.remove(agentId);
        for (JobRun job : running.values()) {
            int n = job.agentLost(agentId, now);
            if (n > 0) {
                LOG.warn("job {}: agent {} lost with {} map outputs; running them again", job.jobId, agentId, n);
            }
        }
    }

    /** Packs tasks onto one offer, fairest job first; declines it when nothing fits. */
    private void place(OfferView offer) {
        long now = clock.millis();
        agentCpus.merge(offer.agentId(), offer.resources().cpus(), Math::max);
        if (offer.hostname() != null && !offer.hostname().isEmpty()) {
            hostByAgent.put(offer.agentId(), offer.hostname());
        }
        ResourceSpec left = offer.resources();
        ResourceSpec task = new ResourceSpec(config.taskCpus(), config.taskMemMb(), 0, 0);
        ResourceSpec executor = new ResourceSpec(config.executorCpus(), config.executorMemMb(), 0, 0);
        List<TaskSpec> tasks = new ArrayList<>();
        List<JobRun> order = new ArrayList<>(running.values());
        while (true) {
            order.sort(Comparator.comparingInt(JobRun::running));
            JobRun chosen = null;
            int[] pick = null;
            ResourceSpec need = null;
            for (JobRun job : order) {
                need = job.executorAgents.contains(offer.agentId()) ? task : plus(task, executor);
                if (!need.fitsIn(left)) {
                    continue;
                }
                pick = job.pick(offer.agentId(), offer.hostname(), now, config.localityWaitMs());
                if (pick != null) {
                    chosen = job;
                    break;
                }
            }
            if (chosen == null) {
                break;
            }
            String taskId = chosen.nextTaskId(pick[0], pick[1]);
            TaskData data = chosen.launch(config.frameworkId(), pick[0], pick[1], taskId, offer.agentId(), this::agentInfo, now);
            JobRun target = chosen;
            TaskSpec.ExecutorSpec spec = chosen.executorSpecs.computeIfAbsent(offer.agentId(),
                    a -> executorSpec(target, offer.resources()));
            byte[] bytes = data.toBytes();
            if (bytes.length > TaskSpec.MAX_DATA_BYTES) {
                chosen.attempts.remove(taskId);
                end(chosen, JobState.FAILED, "stage " + pick[0] + " reads too many map outputs to describe in one task ("
                        + bytes.length + " bytes); use fewer partitions");
                order.remove(chosen);
                // Its tasks placed on this offer already must not start either.
                tasks.removeIf(t -> t.taskId().startsWith(target.runId + "-"));
                continue;
            }
            tasks.add(TaskSpec.forExecutor(taskId, chosen.name + " stage " + pick[0] + " task " + pick[1], offer.agentId(),
                    task, spec, bytes));
            byTaskId.put(taskId, chosen);
            chosen.executorAgents.add(offer.agentId());
            if (chosen.firstLaunchMs == 0) {
                chosen.firstLaunchMs = now;
            }
            left = minus(left, need);
        }
        if (tasks.isEmpty()) {
            boolean busy = anyPending();
            declinedIdle |= !busy;
            client.decline(List.of(offer.offerId()), busy ? REFUSE_BUSY_SECONDS : REFUSE_IDLE_SECONDS);
        } else {
            client.accept(List.of(offer.offerId()), tasks, REFUSE_BUSY_SECONDS);
            LOG.info("launching {} on agent {} ({})", tasks.stream().map(TaskSpec::taskId).toList(), offer.agentId(),
                    offer.hostname());
        }
    }

    /** What a task is told of an agent: where its shuffle service, host and shuffle directory are. */
    private TaskData.Agent agentInfo(String agentId) {
        return new TaskData.Agent(httpByAgent.getOrDefault(agentId, ""), hostByAgent.getOrDefault(agentId, ""),
                shuffleDirByAgent.getOrDefault(agentId, ""));
    }

    /**
     * An executor's heap in MiB, from what it is sure to hold: its own memory and its first task's
     * (its limits start there and only grow), less what the JVM needs besides the heap (metaspace,
     * code, thread stacks, the mapped queues and class archive): a quarter, and at least
     * {@value #EXECUTOR_NON_HEAP_MB} MiB, so a small executor is not killed at its memory limit.
     */
    static long executorHeapMb(JobServiceConfig config) {
        long held = config.executorMemMb() + config.taskMemMb();
        return Math.max(48, held - Math.max(held / 4, EXECUTOR_NON_HEAP_MB));
    }

    /** The executor JVM's heap and compiler options. */
    static List<String> executorHeapAndCompiler(JobServiceConfig config) {
        List<String> options = new ArrayList<>(List.of("-Xmx" + executorHeapMb(config) + "m"));
        if (config.executorQuickCompiler()) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        return options;
    }

    /** The least memory an executor's JVM is given besides its heap. */
    static final long EXECUTOR_NON_HEAP_MB = 128;

    /** {@code java -Xmx.. <Chronicle flags> -cp <class path> JobExecutorMain --threads N}. */
    private TaskSpec.ExecutorSpec executorSpec(JobRun job, ResourceSpec offered) {
        int threads = (int) Math.max(1, Math.min(64, Math.floor(offered.cpus() / config.taskCpus() + 1e-9)));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(executorHeapAndCompiler(config));
        ExecutorClassArchive archive = classArchive;
        ExecutorClassArchive.Ready cds = archive == null ? null : archive.ready();
        List<TaskSpec.Uri> uris = job.executorUris;
        if (cds != null) {
            // Mapped from the sandbox, where the agent fetched it with the plan and the jar.
            command.add(cds.jvmFlag());
            uris = new ArrayList<>(uris);
            uris.add(cds.uri());
        }
        command.addAll(ChronicleFlags.JVM_ARGS);
        String logLevel = System.getProperty("drover.log.level");
        if (logLevel != null && logLevel.matches("[A-Za-z]{1,8}")) {
            // The executor's log (its sandbox's stderr) at the service's level.
            command.add("-Ddrover.log.level=" + logLevel);
        }
        command.add("-cp");
        command.add(job.classPath);
        command.add(JobExecutorMain.class.getName());
        command.add("--threads");
        command.add(Integer.toString(threads));
        return new TaskSpec.ExecutorSpec(executorId(job.runId), command, Map.of(),
                new ResourceSpec(config.executorCpus(), config.executorMemMb(), 0, 0), uris);
    }

    static String executorId(String runId) {
        String id = "job-" + runId;
        return id.length() > 200 ? id.substring(0, 200) : id;
    }

    private static ResourceSpec plus(ResourceSpec a, ResourceSpec b) {
        return new ResourceSpec(a.cpus() + b.cpus(), a.memMb() + b.memMb(), a.diskMb() + b.diskMb(), a.gpus() + b.gpus());
    }

    private static ResourceSpec minus(ResourceSpec a, ResourceSpec b) {
        return new ResourceSpec(Math.max(0, a.cpus() - b.cpus()), Math.max(0, a.memMb() - b.memMb()),
                Math.max(0, a.diskMb() - b.diskMb()), Math.max(0, a.gpus() - b.gpus()));
    }

    private boolean anyPending() {
        for (JobRun job : running.values()) {
            if (job.hasPending()) {
                return true;
            }
        }
        return false;
    }

    private void update(TaskUpdate u) {
        try {
            JobRun job = byTaskId.get(u.taskId());
            if (job == null) {
                if (!u.phase().isTerminal()) {
                    LOG.info("killing task {}, which belongs to no running job", u.taskId());
                    client.kill(u.taskId());
                }
                return;
            }
            if (u.phase() == TaskPhase.RUNNING && job.firstRunningMs == 0) {
                job.firstRunningMs = clock.millis();
                LOG.info("job {}: first task running {} ms after the service read the submission (waited and planned {} ms, "
                                + "first launch at {} ms)", job.jobId, job.firstRunningMs - job.receivedMs,
                        job.plannedMs - job.receivedMs, job.firstLaunchMs - job.receivedMs);
            }
            // An unreachable agent may come back, but its tasks and map outputs cannot be counted on
            // meanwhile (the master removes it only after a long timeout): run them elsewhere now.
            boolean unreachable = u.phase() == TaskPhase.UNREACHABLE;
            if (!u.phase().isTerminal() && !unreachable) {
                return;
            }
            byTaskId.remove(u.taskId());
            JobRun.Attempt a = job.attempts.remove(u.taskId());
            if (a == null) {
                return;
            }
            long now = clock.millis();
            String message = u.message() == null ? "" : u.message();
            TaskOutcome outcome = TaskOutcome.parse(message);
            JobRun.Verdict verdict;
            if (u.phase() == TaskPhase.FINISHED) {
                if (!outcome.agentHttp().isEmpty()) {
                    httpByAgent.put(u.agentId(), outcome.agentHttp());
                }
                if (!outcome.shuffleDir().isEmpty()) {
                    shuffleDirByAgent.put(u.agentId(), outcome.shuffleDir());
                }
                for (String other : job.otherAttempts(a)) {
                    LOG.info("job {}: task {} finished first; killing its copy {}", job.jobId, u.taskId(), other);
                    client.kill(other);
                }
                verdict = job.finished(a, outcome, now);
            } else {
                if (unreachable) {
                    // Should the agent return, its copy of this attempt is killed (it belongs to no job then).
                    client.kill(u.taskId());
                    agentLost(u.agentId(), now);
                }
                boolean executorGone = unreachable || "EXECUTOR_TERMINATED".equals(u.reason()) || u.phase() == TaskPhase.LOST
                        || u.phase() == TaskPhase.GONE || u.phase() == TaskPhase.DROPPED
                        || (u.reason() != null && u.reason().startsWith("AGENT_"));
                if (executorGone) {
                    job.executorAgents.remove(u.agentId());
                    job.executorSpecs.remove(u.agentId());
                }
                boolean counts = u.phase() == TaskPhase.FAILED && !executorGone && !outcome.fetchFailed();
                String reason = message.isEmpty() ? u.phase() + " (" + u.reason() + ")" : message;
                LOG.warn("job {}: task {} {}: {}", job.jobId, u.taskId(), u.phase(), reason);
                verdict = job.failed(a, reason, outcome, counts, now);
            }
            if (verdict == JobRun.Verdict.STAGE_DONE) {
                recordOutputs(job, a.stage());
            } else if (verdict == JobRun.Verdict.JOB_DONE) {
                succeed(job);
            } else if (verdict == JobRun.Verdict.JOB_FAILED) {
                end(job, JobState.FAILED, job.failure);
            }
        } finally {
            if (u.needsAcknowledgement()) {
                client.acknowledge(u);
            }
        }
    }

    private void succeed(JobRun job) {
        try {
            job.committer.commitJob();
        } catch (IOException | RuntimeException e) {
            end(job, JobState.FAILED, "cannot commit the output: " + e.getMessage());
            return;
        }
        finish(job, JobState.SUCCEEDED, "done in " + (clock.millis() - job.startedMs) + " ms");
    }

    /** Ends a job that did not succeed: kills its attempts, discards its output. */
    private void end(JobRun job, JobState state, String message) {
        try {
            job.committer.abortJob();
        } catch (IOException | RuntimeException e) {
            LOG.warn("job {}: aborting its output failed: {}", job.jobId, e.toString());
        }
        finish(job, state, message);
    }

    private void finish(JobRun job, JobState state, String message) {
        for (String taskId : new ArrayList<>(job.attempts.keySet())) {
            client.kill(taskId);
            byTaskId.remove(taskId);
        }
        job.attempts.clear();
        running.remove(job.jobId);
        LOG.info("job {} {}: {}", job.jobId, state, message);
        send(job.jobId, job.name, state, message, job);
        // Executors that shut down later see the plan gone (404) and delete the job's map outputs.
        job.published.forEach(artifacts::withdraw);
        try {
            Files.deleteIfExists(config.stateDir().resolve("plans").resolve(job.runId + ".plan"));
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot delete the plan of job {}: {}", job.jobId, e.toString());
        }
    }

    private void send(String jobId, String name, JobState state, String message, JobRun job) {
        send(jobId, name, state, message, job, job == null ? "" : job.output);
    }

    private void send(String jobId, String name, JobState state, String message, JobRun job, String output) {
        List<StageProgress> stages = job == null ? List.of() : progress(job);
        long elapsed = job == null ? 0 : clock.millis() - job.startedMs;
        try {
            JobEvent e = jobs.event(jobId, name, JobEventKind.STATE, state, message, null, stages, elapsed, output);
            if (job != null) {
                e.setRunId(job.runId);
            }
            jobs.send(e);
        } catch (IllegalStateException e) {
            LOG.warn("cannot record that job {} is {}: {}", jobId, state, e.getMessage());
        }
    }

    private List<StageProgress> progress(JobRun job) {
        long now = clock.millis();
        List<StageProgress> list = new ArrayList<>();
        for (JobRun.StageState s : job.stages) {
            long elapsed = !s.started ? 0 : s.complete() ? s.finishedMs - s.startedMs : now - s.startedMs;
            list.add(StageProgress.newBuilder().setStage(s.plan.id()).setDescription(s.plan.description())
                    .setTasksDone(s.done).setTasksTotal(s.tasks.length).setRecords(s.records).setBytes(s.bytes)
                    .setFailedAttempts(s.failedAttempts).setElapsedMs(elapsed).setDone(s.complete()).build());
        }
        return list;
    }

    private void publishProgress(boolean force) {
        long now = clock.millis();
        if (!force && now < nextProgressMs) {
            return;
        }
        nextProgressMs = now + config.progressIntervalMs();
        for (JobRun job : running.values()) {
            if (job.progressChanged || force || now - job.lastProgressMs >= PROGRESS_KEEPALIVE_MS) {
                job.progressChanged = false;
                job.lastProgressMs = now;
                try {
                    jobs.send(jobs.event(job.jobId, job.name, JobEventKind.PROGRESS, JobState.RUNNING, "", null,
                            progress(job), now - job.startedMs, job.output));
                } catch (IllegalStateException e) {
                    LOG.warn("cannot record the progress of job {}: {}", job.jobId, e.getMessage());
                }
            }
        }
    }

    private void adjustOffers() {
        boolean want = anyPending();
        if (want && (suppressed || declinedIdle)) {
            // Revive also clears the filters of offers declined while there was nothing to run.
            client.revive();
            suppressed = false;
            declinedIdle = false;
        } else if (!want && !suppressed) {
            client.suppress();
            suppressed = true;
        }
    }

    /** Asks the thread to stop and waits for it; running jobs stay unfinished in the log (a new service resumes them). */
    @Override
    public void close() {
        stopRequested = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ExecutorClassArchive archive = classArchive;
        if (archive != null) {
            archive.close();
        }
        artifacts.close();
    }

    /**
     * Kills the running attempts (their jobs stay unfinished in the log, for the next service to
     * run again) and disconnects; the framework stays registered for its failover timeout.
     */
    private void shutDown() {
        if (client != null) {
            try {
                if (client.subscribeSent()) {
                    for (String taskId : byTaskId.keySet()) {
                        client.kill(taskId);
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("killing the running tasks failed: {}", e.toString());
            }
            client.close();
        }
        if (jobs != null) {
            jobs.close();
        }
    }
}
