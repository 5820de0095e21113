package io.drover.job.local;

import io.drover.connectors.JobCommitter;
import io.drover.connectors.Sink;
import io.drover.job.api.JobSpec;
import io.drover.job.plan.InvalidJobException;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.PlanOptions;
import io.drover.job.plan.StageOutput;
import io.drover.job.plan.StagePlan;
import io.drover.job.serde.ByteBuf;
import io.drover.job.shuffle.LocalShuffleFetcher;
import io.drover.job.shuffle.MapOutputs;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleFiles;
import io.drover.job.task.TaskEnv;
import io.drover.job.task.TaskFailedException;
import io.drover.job.task.TaskResult;
import io.drover.job.task.TaskRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a plan in this JVM: each stage as soon as its parents are done, its tasks on a bounded
 * thread pool (so the two sides of a join run together), every task exactly as an executor would
 * run it ({@link TaskRunner}, from a deserialized copy of the plan, shuffling through files in a
 * per-job work directory). A reducer that finds a map output lost has that map task recomputed. A failed attempt is retried up to
 * {@link LocalRunnerConfig#maxAttempts} times with a new attempt number; when a task runs out of
 * attempts the job fails with that task's reason, the sink's job is aborted and no output appears.
 *
 * <p>This is the reference for the distributed scheduler: the same plan, the same task entry
 * point, the same map output registry and commit protocol.
 */
public final class LocalRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRunner.class);

    private final LocalRunnerConfig config;
    private final JobListener listener;
    private final ExecutorService pool;
    /** The next free attempt number of map tasks recomputed after a lost output, by stage and task. */
    private final java.util.Map<Long, Integer> nextAttempt = new java.util.concurrent.ConcurrentHashMap<>();

    public LocalRunner(LocalRunnerConfig config) {
        this(config, JobListener.NONE);
    }

    /** A runner that reports every job's progress to {@code listener}. */
    public LocalRunner(LocalRunnerConfig config, JobListener listener) {
        this.config = config;
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "local-task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Plans and runs a job. */
    public JobResult run(String jobName, JobSpec spec, PlanOptions options) throws JobFailedException {
        return run(spec.plan(jobName, options));
    }

    /**
     * Runs a planned job to the end.
     *
     * @throws JobFailedException with the reason of the task that exhausted its attempts
     * @throws InvalidJobException if the output cannot take the job (it already holds data)
     */
    public JobResult run(JobPlan plan) throws JobFailedException {
        return run(plan, plan.name().replaceAll("[^A-Za-z0-9_.-]", "_") + "-"
                + UUID.randomUUID().toString().substring(0, 8));
    }

    /**
     * Runs a planned job under a given id (the sink's job id; letters, digits, '-', '_' and '.').
     *
     * @throws JobFailedException with the reason of the task that exhausted its attempts
     * @throws InvalidJobException if the output cannot take the job (it already holds data)
     */
    public JobResult run(JobPlan plan, String jobId) throws JobFailedException {
        byte[] shipped = config.shipPlan() ? plan.toBytes() : null;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Path workDir;
        try {
            workDir = config.workRoot() == null ? Files.createTempDirectory("drover-job-")
                    : Files.createDirectories(config.workRoot()).resolve(jobId);
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new JobFailedException("job " + plan.name() + ": cannot create a work directory: " + e, e);
        }
        JobCommitter<?> committer = null;
        try {
            if (plan.finalStage().output() instanceof StageOutput.ToSink sink) {
                committer = begin(plan, sink, jobId);
            }
            JobCommitter<?> finalCommitter = committer;
            int finalStage = plan.finalStage().id();
            MapOutputs outputs = new MapOutputs();
            TaskEnv env = new TaskEnv(workDir, new LocalShuffleFetcher(workDir, outputs), config.shuffle(),
                    stage -> stage == finalStage ? finalCommitter : null);
            List<JobResult.StageStats> stats = runStages(plan, jobId, shipped, loader, env, outputs);
            long count = -1;
            List<byte[]> collected = List.of();
            StageOutput last = plan.finalStage().output();
            if (last instanceof StageOutput.Count) {
                count = 0;
                for (byte[] b : readResults(plan, env)) {
                    count += ByteBuf.readLong(b, 0);
                }
            } else if (last instanceof StageOutput.Collect) {
                collected = readResults(plan, env);
            }
            if (committer != null) {
                committer.commitJob();
            }
            return new JobResult(jobId, List.copyOf(stats), count, collected);
        } catch (JobFailedException | RuntimeException e) {
            abort(committer);
            throw e;
        } catch (IOException e) {
            abort(committer);
            throw new JobFailedException("job " + plan.name() + " failed to commit its output: " + e, e);
        } finally {
            deleteRecursively(workDir);
        }
    }

    private static JobCommitter<?> begin(JobPlan plan, StageOutput.ToSink sink, String jobId)
            throws JobFailedException {
        try {
            Sink<?> s = sink.sink().get();
            return s.beginJob(jobId);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new InvalidJobException("job " + plan.name() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new JobFailedException("job " + plan.name() + ": cannot prepare the output: " + e, e);
        }
    }

    private static void abort(JobCommitter<?> committer) {
        if (committer == null) {
            return;
        }
        try {
            committer.abortJob();
        } catch (IOException | RuntimeException e) {
            log.warn("aborting job {} failed: {}", committer.jobId(), e.toString());
        }
    }

    /** The progress of one stage while the job runs. */
    private static final class StageRun {
        final StagePlan stage;
        final long startedNanos;
        final AtomicInteger failedAttempts = new AtomicInteger();
        int remaining;
        long records;
        long bytes;
        int spills;

        StageRun(StagePlan stage, long startedNanos) {
            this.stage = stage;
            this.startedNanos = startedNanos;
            this.remaining = stage.partitions();
        }
    }

    /**
     * Runs the stages as their parents finish: every stage whose parents are done has its tasks on
     * the pool at once (the two sides of a join run together), as a distributed scheduler would.
     * On the first task out of attempts no new attempt starts, the running ones are waited for,
     * and the job fails with that task's reason.
     */
    private List<JobResult.StageStats> runStages(JobPlan plan, String jobId, byte[] shipped, ClassLoader loader,
            TaskEnv env, MapOutputs outputs) throws JobFailedException {
        int n = plan.stages().size();
        JobResult.StageStats[] finished = new JobResult.StageStats[n];
        StageRun[] runs = new StageRun[n];
        AtomicBoolean failed = new AtomicBoolean();
        ExecutorCompletionService<TaskResult> completions = new ExecutorCompletionService<>(pool);
        int outstanding = 0;
        int done = 0;
        TaskFailedException failure = null;
        try {
            while (done < n && failure == null) {
                boolean startedOne = false;
                for (StagePlan stage : plan.stages()) {
                    if (runs[stage.id()] != null || !stage.parents().stream().allMatch(p -> finished[p] != null)) {
                        continue;
                    }
                    listener.stageStarted(jobId, stage);
                    StageRun run = new StageRun(stage, System.nanoTime());
                    runs[stage.id()] = run;
                    startedOne = true;
                    for (int p = 0; p < stage.partitions(); p++) {
                        int partition = p;
                        completions.submit(() -> runTask(plan, jobId, shipped, loader, stage, partition, env, outputs,
                                failed, run.failedAttempts));
                        outstanding++;
                    }
                    if (run.remaining == 0) {
                        finished[stage.id()] = finish(plan, jobId, run);
                        done++;
                    }
                }
                if (startedOne && done < n && outstanding == 0) {
                    continue;
                }
                if (outstanding == 0) {
                    break;
                }
                Future<TaskResult> f = completions.take();
                outstanding--;
                try {
                    TaskResult r = f.get();
                    if (r == null) {
                        // Skipped: another task ran out of attempts, and its failure is on its way.
                        continue;
                    }
                    StageRun run = runs[r.stage()];
                    run.records += r.recordsOut();
                    run.bytes += r.bytesOut();
                    run.spills += r.spills();
                    if (--run.remaining == 0) {
                        finished[r.stage()] = finish(plan, jobId, run);
                        done++;
                    }
                } catch (ExecutionException e) {
                    failure = e.getCause() instanceof TaskFailedException t ? t
                            : new TaskFailedException(plan.name(), -1, "unknown", -1, -1, e.getCause());
                }
            }
            failed.set(failure != null);
            // Wait for what is still running, so no task outlives its job's work directory.
            for (; outstanding > 0; outstanding--) {
                try {
                    completions.take().get();
                } catch (ExecutionException e) {
                    // The first failure is the job's reason.
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.set(true);
            throw new JobFailedException("job " + plan.name() + " interrupted", e);
        }
        if (failure != null) {
            throw new JobFailedException(failure.getMessage() + " (after " + config.maxAttempts() + " attempts)",
                    failure);
        }
        if (done < n) {
            throw new IllegalStateException("job " + plan.name() + ": " + (n - done) + " stages could not start");
        }
        return List.of(finished);
    }

    private JobResult.StageStats finish(JobPlan plan, String jobId, StageRun run) {
        StagePlan stage = run.stage;
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - run.startedNanos);
        log.info("job {} stage {} ({}) done: {} tasks, {} records, {} bytes, {} spills in {} ms", plan.name(),
                stage.id(), stage.description(), stage.partitions(), run.records, run.bytes, run.spills, elapsedMs);
        JobResult.StageStats stats = new JobResult.StageStats(stage.id(), stage.description(), stage.partitions(),
                run.records, run.bytes, run.spills, run.failedAttempts.get(), elapsedMs);
        listener.stageFinished(jobId, stats);
        return stats;
    }

    private TaskResult runTask(JobPlan plan, String jobId, byte[] shipped, ClassLoader loader, StagePlan stage,
            int partition, TaskEnv env, MapOutputs outputs, AtomicBoolean failed, AtomicInteger failedAttempts)
            throws TaskFailedException, IOException {
        TaskFailedException last = null;
        for (int attempt = 0; attempt < config.maxAttempts(); attempt++) {
            if (failed.get()) {
                return null;
            }
            JobPlan taskPlan = shipped != null ? JobPlan.fromBytes(shipped, loader) : plan;
            try {
                TaskResult r = TaskRunner.run(taskPlan, stage.id(), partition, attempt, env);
                if (!(stage.output() instanceof StageOutput.ToSink)) {
                    outputs.register(stage.id(), partition, attempt, "localhost");
                }
                listener.taskSucceeded(jobId, r);
                return r;
            } catch (TaskFailedException e) {
                last = e;
                failedAttempts.incrementAndGet();
                log.warn("{}", e.getMessage());
                TaskRunner.cleanUpAttempt(env.workDir(), stage.id(), partition, attempt);
                listener.taskFailed(jobId, e, attempt + 1 < config.maxAttempts() && !failed.get());
                if (e.fetchFailure() != null && attempt + 1 < config.maxAttempts()) {
                    recompute(plan, jobId, e.fetchFailure().stage(), e.fetchFailure().map(), env, outputs);
                }
            }
        }
        failed.set(true);
        throw last;
    }

    /**
     * Runs a map task again after its output was lost, under a new attempt number, unless another
     * reducer already did. Serialized, so concurrent reducers that lost the same output recompute it
     * once.
     */
    private synchronized void recompute(JobPlan plan, String jobId, int stage, int map, TaskEnv env,
            MapOutputs outputs) {
        int previous;
        try {
            previous = outputs.get(stage, map).attempt();
        } catch (IllegalStateException e) {
            previous = -1;
        }
        if (previous >= 0 && Files.exists(ShuffleFiles.index(env.workDir(), stage, map, previous))
                && Files.exists(ShuffleFiles.data(env.workDir(), stage, map, previous))) {
            return;
        }
        outputs.unregister(stage, map);
        int attempt = nextAttempt.merge(((long) stage << 32) | map, previous + 1, Math::max);
        nextAttempt.put(((long) stage << 32) | map, attempt + 1);
        log.warn("job {}: map output of stage {} task {} was lost; running it again as attempt {}", plan.name(), stage,
                map, attempt);
        try {
            TaskResult r = TaskRunner.run(plan, stage, map, attempt, env);
            outputs.register(stage, map, attempt, "localhost");
            listener.taskSucceeded(jobId, r);
        } catch (TaskFailedException e) {
            // The reducer's next attempt fails to fetch again and counts against its attempts.
            listener.taskFailed(jobId, e, false);
        }
    }

    /** Partition 0 of every task of the final stage, in task order. */
    private static List<byte[]> readResults(JobPlan plan, TaskEnv env) throws IOException {
        List<byte[]> values = new ArrayList<>();
        StagePlan last = plan.finalStage();
        for (int m = 0; m < last.partitions(); m++) {
            try (RecordStream s = env.fetcher().fetch(last.id(), m, 0)) {
                while (s.next()) {
                    values.add(java.util.Arrays.copyOf(s.value(), s.valueLength()));
                }
            }
        }
        return values;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete work directory {}: {}", dir, e.toString());
        }
    }

    /** Stops the task threads; a running job's tasks are interrupted. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("local runner threads did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
