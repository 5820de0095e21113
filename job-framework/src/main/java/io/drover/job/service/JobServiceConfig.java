package io.drover.job.service;

import java.nio.file.Path;

/**
 * How the job service runs, validated once at construction.
 *
 * @param bootstrap Kafka bootstrap servers
 * @param frameworkId the service's one framework id; default {@value #DEFAULT_FRAMEWORK_ID}
 * @param stateDir where the service keeps job plans ({@code plans/<run>.plan}), which agents fetch
 *     from the service over HTTP ({@code httpListen})
 * @param classPath the class path of executors, as on every agent: Drover must be installed at the
 *     same path on every agent (in a local cluster the service's own class path is right)
 * @param taskCpus CPUs each task is given; default 1
 * @param taskMemMb memory each task is charged; default 256
 * @param executorCpus CPUs an executor is charged besides its tasks; default 0
 * @param executorMemMb memory an executor is charged besides its tasks; its heap ({@code -Xmx}) is
 *     this plus one task's memory (what it holds from its first task on) less a quarter, and less at
 *     least 128 MiB, for the JVM's memory besides its heap; default 768
 * @param maxAttempts attempts of a task before the job fails; default 4
 * @param localityWaitMs how long a task waits for an offer from its preferred hosts (its split's,
 *     or the agents holding most of its map input) before it runs anywhere; default 1000
 * @param maxJobs jobs running at once; more wait in submission order; default 16
 * @param progressIntervalMs how often a running job's progress is written to drover.jobs; default 500
 * @param speculation whether stragglers get a speculative copy: once {@value #SPECULATION_QUANTILE} of
 *     a stage's tasks are done, a task running longer than {@value #SPECULATION_MULTIPLIER} times the
 *     median duration of the stage's finished tasks (and at least {@value #SPECULATION_MIN_MS} ms)
 *     gets a second attempt on another agent; the first to finish wins and the other is killed.
 *     Off by default
 * @param httpListen {@code host:port} where the service serves job plans and user jars to the
 *     agents, which fetch them into executors' sandboxes ({@code 0.0.0.0} is advertised as this
 *     machine's host name, port 0 picks a free port); default {@value #DEFAULT_HTTP_LISTEN}
 * @param executorClassArchive whether executors start with a class-data-sharing archive of their
 *     start-up classes, built once by the service and fetched by the agents (see
 *     {@link ExecutorClassArchive}); default true
 * @param executorQuickCompiler whether executors compile with the quick compiler only
 *     ({@code -XX:TieredStopAtLevel=1}): a fresh executor spends several CPU-seconds in the optimizing
 *     compiler, more than it gains on short stages and on the sort, less than it gains on a long
 *     tight loop such as wordcount's map stage (see benchmarks/README.md); default true
 */
public record JobServiceConfig(String bootstrap, String frameworkId, Path stateDir, String classPath, double taskCpus,
        long taskMemMb, double executorCpus, long executorMemMb, int maxAttempts, long localityWaitMs, int maxJobs,
        long progressIntervalMs, boolean speculation, String httpListen, boolean executorClassArchive,
        boolean executorQuickCompiler) {

    public static final String DEFAULT_FRAMEWORK_ID = "drover-jobs";
    public static final double SPECULATION_QUANTILE = 0.75;
    public static final double SPECULATION_MULTIPLIER = 1.5;
    public static final long SPECULATION_MIN_MS = 1000;
    public static final String DEFAULT_HTTP_LISTEN = "0.0.0.0:0";

    public JobServiceConfig {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap must name at least one host:port");
        }
        if (classPath == null || classPath.isBlank()) {
            throw new IllegalArgumentException("the executors' class path must not be empty");
        }
        if (!(taskCpus > 0 && taskCpus <= 64)) {
            throw new IllegalArgumentException("taskCpus must be in (0, 64]: " + taskCpus);
        }
        if (taskMemMb < 0 || executorMemMb < 64 || executorMemMb > 1 << 20 || !(executorCpus >= 0 && executorCpus <= 64)) {
            throw new IllegalArgumentException("executor memory must be 64 MiB to 1 TiB, task memory and executor cpus not negative");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 100: " + maxAttempts);
        }
        if (localityWaitMs < 0 || localityWaitMs > 60_000) {
            throw new IllegalArgumentException("localityWaitMs must be 0 to 60000: " + localityWaitMs);
        }
        if (maxJobs < 1 || maxJobs > 1000) {
            throw new IllegalArgumentException("maxJobs must be 1 to 1000: " + maxJobs);
        }
        String listenProblem = ArtifactServer.problem(httpListen);
        if (listenProblem != null) {
            throw new IllegalArgumentException(listenProblem);
        }
        if (progressIntervalMs < 50 || progressIntervalMs > 60_000) {
            throw new IllegalArgumentException("progressIntervalMs must be 50 to 60000: " + progressIntervalMs);
        }
    }

    /** The defaults, with executors on this JVM's class path. */
    public static JobServiceConfig defaults(String bootstrap, Path stateDir) {
        return new JobServiceConfig(bootstrap, DEFAULT_FRAMEWORK_ID, stateDir, System.getProperty("java.class.path"), 1.0,
                256, 0, 768, 4, 1000, 16, 500, false, DEFAULT_HTTP_LISTEN, true, true);
    }

    public JobServiceConfig withTaskCpus(double value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, value, taskMemMb, executorCpus,
                executorMemMb, maxAttempts, localityWaitMs, maxJobs, progressIntervalMs, speculation, httpListen, executorClassArchive,
                executorQuickCompiler);
    }

    public JobServiceConfig withTaskMemMb(long value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, value, executorCpus,
                executorMemMb, maxAttempts, localityWaitMs, maxJobs, progressIntervalMs, speculation, httpListen, executorClassArchive,
                executorQuickCompiler);
    }

    public JobServiceConfig withExecutorMemMb(long value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, taskMemMb, executorCpus,
                value, maxAttempts, localityWaitMs, maxJobs, progressIntervalMs, speculation, httpListen, executorClassArchive,
                executorQuickCompiler);
    }

    public JobServiceConfig withMaxAttempts(int value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, taskMemMb, executorCpus,
                executorMemMb, value, localityWaitMs, maxJobs, progressIntervalMs, speculation, httpListen, executorClassArchive,
                executorQuickCompiler);
    }

    public JobServiceConfig withLocalityWaitMs(long value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, taskMemMb, executorCpus,
                executorMemMb, maxAttempts, value, maxJobs, progressIntervalMs, speculation, httpListen, executorClassArchive,
                executorQuickCompiler);
    }

    public JobServiceConfig withSpeculation(boolean value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, taskMemMb, executorCpus,
                executorMemMb, maxAttempts, localityWaitMs, maxJobs, progressIntervalMs, value, httpListen, executorClassArchive,
                executorQuickCompiler);
    }

    public JobServiceConfig withHttpListen(String value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, taskMemMb, executorCpus,
                executorMemMb, maxAttempts, localityWaitMs, maxJobs, progressIntervalMs, speculation, value, executorClassArchive, executorQuickCompiler);
    }

    public JobServiceConfig withExecutorQuickCompiler(boolean value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, taskMemMb, executorCpus,
                executorMemMb, maxAttempts, localityWaitMs, maxJobs, progressIntervalMs, speculation, httpListen,
                executorClassArchive, value);
    }

    public JobServiceConfig withExecutorClassArchive(boolean value) {
        return new JobServiceConfig(bootstrap, frameworkId, stateDir, classPath, taskCpus, taskMemMb, executorCpus,
                executorMemMb, maxAttempts, localityWaitMs, maxJobs, progressIntervalMs, speculation, httpListen, value, executorQuickCompiler);
    }
}
