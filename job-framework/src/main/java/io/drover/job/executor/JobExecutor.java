package io.drover.job.executor;

import io.drover.connectors.JobCommitter;
import io.drover.executor.Executor;
import io.drover.executor.ExecutorDriver;
import io.drover.executor.TaskLaunch;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.StageOutput;
import io.drover.job.shuffle.HttpShuffleFetcher;
import io.drover.job.shuffle.ShuffleConfig;
import io.drover.job.task.TaskEnv;
import io.drover.job.task.TaskFailedException;
import io.drover.job.task.TaskResult;
import io.drover.job.task.TaskRunner;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job framework's executor: runs each launched task through {@link TaskRunner} on a bounded
 * pool of threads, with the plan read once per job from the URI the task names (and cached), map
 * outputs written under the agent's shuffle directory ({@code <shuffleDir>/<jobId>}, which outlives
 * this process and which the agent serves to other hosts), sink output through the job's committer
 * joined with {@link io.drover.connectors.Sink#attachJob}. A success reports the task's counters and
 * a failure its reason ({@link TaskOutcome}).
 */
public final class JobExecutor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(JobExecutor.class);
    /** Most plans (jobs) kept; one executor normally serves one job. */
    private static final int MAX_PLANS = 4;
    /** Most tasks waiting for a thread; the service never places more than the threads anyway. */
    private static final int MAX_QUEUED = 1024;

    private final String agentId;
    private final String agentHttp;
    private final Path shuffleDir;
    private final ShuffleConfig shuffle;
    private final ThreadPoolExecutor pool;
    private final HttpShuffleFetcher.Factory fetchers;
    private final Map<String, JobPlan> plans = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobPlan> eldest) {
            return size() > MAX_PLANS;
        }
    };
    private final Map<String, JobCommitter<?>> committers = new ConcurrentHashMap<>();
    /** The class loader of each plan (the user's jar), set as the context loader of its tasks. */
    private final Map<String, ClassLoader> loaders = new ConcurrentHashMap<>();
    /** The plan URI of every run this executor served, for cleaning up after the job ended. */
    private final Map<String, String> runs = new ConcurrentHashMap<>();
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();

    /**
     * @param agentId the agent this executor runs on (map outputs it holds are read from disk)
     * @param agentHttp the agent's HTTP address, reported with every success for reducers elsewhere
     * @param shuffleDir the agent's shuffle directory for this framework
     * @param threads tasks run at once
     */
    public JobExecutor(String agentId, String agentHttp, Path shuffleDir, int threads, ShuffleConfig shuffle) {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be 1 to 256: " + threads);
        }
        this.agentId = agentId;
        this.agentHttp = agentHttp == null ? "" : agentHttp;
        this.shuffleDir = shuffleDir;
        this.shuffle = shuffle;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
                r -> {
                    Thread t = new Thread(r, "job-task-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.fetchers = new HttpShuffleFetcher.Factory(HttpShuffleFetcher.newClient());
    }

    @Override
    public void launch(ExecutorDriver driver, TaskLaunch launch) {
        TaskData task = TaskData.fromBytes(launch.data());
        runs.putIfAbsent(task.jobId(), task.planUri());
        try {
            running.put(launch.taskId(), pool.submit(() -> run(driver, launch.taskId(), task)));
        } catch (RejectedExecutionException e) {
            driver.failed(launch.taskId(), "the executor has " + MAX_QUEUED + " tasks waiting already");
        }
    }

    private void run(ExecutorDriver driver, String taskId, TaskData task) {
        driver.running(taskId);
        Path workDir = shuffleDir.resolve(task.jobId());
        try {
            JobPlan plan = plan(task);
            Files.createDirectories(workDir);
            StageOutput out = plan.stage(task.stage()).output();
            JobCommitter<?> committer = out instanceof StageOutput.ToSink sink ? committer(task, sink) : null;
            TaskEnv env = new TaskEnv(workDir, new ClusterShuffleFetcher(task, agentId, workDir,
                    fetchers.forJob(task.frameworkId(), task.jobId(), workDir.resolve("fetch"))), shuffle,
                    stage -> stage == task.stage() ? committer : null);
            Thread.currentThread().setContextClassLoader(loaders.getOrDefault(task.planUri(), JobExecutor.class.getClassLoader()));
            TaskResult r = TaskRunner.run(plan, task.stage(), task.partition(), task.attempt(), env);
            driver.finished(taskId, TaskOutcome.finished(r, agentHttp));
        } catch (TaskFailedException e) {
            LOG.warn("{}", e.getMessage());
            cleanUp(workDir, task);
            driver.failed(taskId, TaskOutcome.failed(e));
        } catch (IOException | RuntimeException e) {
            LOG.warn("task {} cannot start", taskId, e);
            driver.failed(taskId, "job " + task.jobId() + " stage " + task.stage() + " task " + task.partition()
                    + " attempt " + task.attempt() + " cannot start: " + e.getMessage());
        } finally {
            running.remove(taskId);
        }
    }

    private static void cleanUp(Path workDir, TaskData task) {
        try {
            TaskRunner.cleanUpAttempt(workDir, task.stage(), task.partition(), task.attempt());
        } catch (IOException e) {
            LOG.warn("cannot clean up a failed attempt: {}", e.toString());
        }
    }

    private JobPlan plan(TaskData task) throws IOException {
        synchronized (plans) {
            JobPlan plan = plans.get(task.planUri());
            if (plan == null) {
                URI uri = URI.create(task.planUri());
                if (!"file".equals(uri.getScheme())) {
                    throw new IOException("plans are read from file:// URIs, not " + task.planUri());
                }
                byte[] bytes = Files.readAllBytes(Path.of(uri));
                ClassLoader loader = task.jarUri().isEmpty() ? JobExecutor.class.getClassLoader() : userJar(task);
                plan = JobPlan.fromBytes(bytes, loader);
                plans.put(task.planUri(), plan);
                loaders.put(task.planUri(), loader);
            }
            return plan;
        }
    }

    /**
     * A loader of the user's jar: copied into this executor's sandbox ({@code jars/<sha256>.jar})
     * and checked against the SHA-256 the submitter computed, so every agent runs the same code.
     */
    private static ClassLoader userJar(TaskData task) throws IOException {
        URI uri = URI.create(task.jarUri());
        if (!"file".equals(uri.getScheme())) {
            throw new IOException("user jars are read from file:// URIs, not " + task.jarUri());
        }
        String name = task.jarSha256().isEmpty() ? "job" : task.jarSha256();
        Path local = Path.of("jars").toAbsolutePath().resolve(name + ".jar");
        if (!Files.exists(local)) {
            Files.createDirectories(local.getParent());
            Path tmp = Files.createTempFile(local.getParent(), "fetch-", ".jar");
            Files.copy(Path.of(uri), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String actual = sha256(tmp);
            if (!task.jarSha256().isEmpty() && !actual.equalsIgnoreCase(task.jarSha256())) {
                Files.deleteIfExists(tmp);
                throw new IOException("jar " + task.jarUri() + " has SHA-256 " + actual + ", not " + task.jarSha256()
                        + " as submitted");
            }
            Files.move(tmp, local, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new java.net.URLClassLoader(new java.net.URL[] {local.toUri().toURL()}, JobExecutor.class.getClassLoader());
    }

    private static String sha256(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 << 10];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private JobCommitter<?> committer(TaskData task, StageOutput.ToSink sink) throws IOException {
        JobCommitter<?> c = committers.get(task.jobId());
        if (c == null) {
            c = sink.sink().get().attachJob(task.jobId());
            JobCommitter<?> raced = committers.putIfAbsent(task.jobId(), c);
            c = raced != null ? raced : c;
        }
        return c;
    }

    @Override
    public void kill(ExecutorDriver driver, String taskId) {
        Future<?> f = running.remove(taskId);
        if (f != null) {
            f.cancel(true);
        }
        // A task interrupted mid-write leaves only an uncommitted attempt, which the job never reads.
        driver.killed(taskId, "killed by the job service");
    }

    /**
     * Stops the tasks; then deletes the map outputs of every run this executor served whose job has
     * ended (the service deletes a job's plan when the job ends), since no reducer needs them.
     */
    @Override
    public void shutdown(ExecutorDriver driver) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("job executor threads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runs.forEach((runId, planUri) -> {
            try {
                if (!Files.exists(Path.of(URI.create(planUri)))) {
                    deleteTree(shuffleDir.resolve(runId));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot delete the map outputs of {}: {}", runId, e.toString());
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
