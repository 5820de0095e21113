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
            ClusterShuffleFetcher fetcher = new ClusterShuffleFetcher(task, agentId, workDir,
                    fetchers.forJob(task.frameworkId(), task.jobId(), workDir.resolve("fetch")));
            TaskEnv env = new TaskEnv(workDir, fetcher, shuffle, stage -> stage == task.stage() ? committer : null);
            Thread.currentThread().setContextClassLoader(loaders.getOrDefault(task.planUri(), JobExecutor.class.getClassLoader()));
            TaskResult r = TaskRunner.run(plan, task.stage(), task.partition(), task.attempt(), env);
            if (fetcher.readFromDisk() > 0) {
                LOG.info("task {} read {} map output blocks of other agents on this host from disk", taskId, fetcher.readFromDisk());
            }
            driver.finished(taskId, TaskOutcome.finished(r, agentHttp, shuffleDir.toAbsolutePath().toString()));
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
                byte[] bytes = Files.readAllBytes(local(task.planUri(), "plan"));
                ClassLoader loader = task.jarUri().isEmpty() ? JobExecutor.class.getClassLoader() : userJar(task);
                plan = JobPlan.fromBytes(bytes, loader);
                plans.put(task.planUri(), plan);
                loaders.put(task.planUri(), loader);
            }
            return plan;
        }
    }

    /**
     * Where a file the task names is on this host: for a {@code file://} URI the file itself (a
     * sandbox-local or shared path); for an {@code http(s)://} one, the file of the URL's last path
     * segment in the working directory, the executor's sandbox, where the agent fetched it (checked
     * against its SHA-256) before it started this process.
     */
    static Path local(String uriText, String what) throws IOException {
        URI uri = URI.create(uriText);
        if ("file".equals(uri.getScheme())) {
            return Path.of(uri);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IOException("the job's " + what + " must be a file:// or http(s):// URI, not " + uriText);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        Path local = name.isEmpty() || name.equals(".") || name.equals("..") ? null : Path.of(name).toAbsolutePath();
        if (local == null || !Files.isRegularFile(local)) {
            throw new IOException("the job's " + what + " " + uriText + " was not fetched into the executor's sandbox "
                    + Path.of("").toAbsolutePath() + " (the executor was started without its URIs)");
        }
        return local;
    }

    /**
     * A loader of the user's jar, which the agent fetched into this executor's sandbox (or which is
     * at a {@code file://} path), checked again against the SHA-256 the submitter computed, so
     * every agent runs the same code.
     */
    private static ClassLoader userJar(TaskData task) throws IOException {
        Path local = local(task.jarUri(), "jar");
        String actual = Sha256.of(local);
        if (!task.jarSha256().isEmpty() && !actual.equalsIgnoreCase(task.jarSha256())) {
            throw new IOException("jar " + task.jarUri() + " has SHA-256 " + actual + ", not " + task.jarSha256() + " as submitted");
        }
        return new java.net.URLClassLoader(new java.net.URL[] {local.toUri().toURL()}, JobExecutor.class.getClassLoader());
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
                if (jobEnded(planUri)) {
                    deleteTree(shuffleDir.resolve(runId));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot delete the map outputs of {}: {}", runId, e.toString());
            }
        });
    }

    /**
     * Whether the service says the job ended: its plan is gone (a file:// plan deleted, or the
     * service answering 404 for an http one). A service that does not answer says nothing: the
     * outputs stay for the agent's sandbox GC.
     */
    private static boolean jobEnded(String planUri) throws IOException {
        URI uri = URI.create(planUri);
        if ("file".equals(uri.getScheme())) {
            return !Files.exists(Path.of(uri));
        }
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();
        try {
            java.net.http.HttpResponse<Void> r = http.send(java.net.http.HttpRequest.newBuilder(uri)
                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).timeout(java.time.Duration.ofSeconds(2)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 404;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
