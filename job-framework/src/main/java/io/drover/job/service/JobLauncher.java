package io.drover.job.service;

import io.drover.api.protocol.JobSubmission;
import io.drover.connectors.JobCommitter;
import io.drover.connectors.Sink;
import io.drover.job.api.JobSpec;
import io.drover.job.api.UserJob;
import io.drover.job.builtin.BuiltinJobs;
import io.drover.job.executor.Sha256;
import io.drover.job.plan.InvalidJobException;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.PlanOptions;
import io.drover.job.plan.StageOutput;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Turns a submission into a running job: builds the job (a built-in one, or a user's
 * {@link UserJob} loaded from its jar after checking the jar's SHA-256), plans it, writes the plan
 * under the state directory and publishes it (and the jar) on the service's {@link ArtifactServer}
 * for the agents to fetch into executors' sandboxes, and begins the sink's job. Any problem with what was submitted is an
 * {@link InvalidSubmission} with a one-line reason (a missing input, an output that holds data, a
 * bad jar or class).
 */
final class JobLauncher {

    /**
     * A submission waiting to start; {@code run} counts earlier, interrupted starts of the same job;
     * {@code receivedMs} is when this service read it (service clock); {@code resume} is the run to
     * go on with, or null for a new run.
     */
    record Queued(String jobId, String name, JobSubmission submission, int run, long receivedMs, Resume resume) {
        Queued(String jobId, String name, JobSubmission submission, int run, long receivedMs) {
            this(jobId, name, submission, run, receivedMs, null);
        }
    }

    /**
     * An interrupted run to go on with: its id and the map outputs it recorded, by stage and
     * partition ({@link JobCheckpoint}).
     */
    record Resume(String runId, java.util.Map<JobCheckpoint.TaskKey, io.drover.api.protocol.MapOutput> outputs) {}

    /** What was submitted cannot run. */
    /** A resumed run whose output was committed before the service stopped: the job succeeded. */
    static final class AlreadyCommitted extends Exception {
        final String runId;
        final String output;

        AlreadyCommitted(String runId, String output) {
            super("run " + runId + " committed its output before the service stopped");
            this.runId = runId;
            this.output = output;
        }
    }

    static final class InvalidSubmission extends Exception {
        InvalidSubmission(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The built-in jobs by name. */
    static final List<String> BUILTINS = List.of("wordcount", "sort", "grep", "join");

    private final JobServiceConfig config;
    private final ArtifactServer artifacts;

    /** @param artifacts serves each job's plan and jar to the agents that start its executors */
    JobLauncher(JobServiceConfig config, ArtifactServer artifacts) {
        this.config = config;
        this.artifacts = artifacts;
    }

    /**
     * Starts a job.
     *
     * @param defaultSplits splits asked of sources when the submission names no partition count
     */
    JobRun launch(Queued q, long nowMs, int defaultSplits) throws InvalidSubmission, AlreadyCommitted {
        JobSubmission s = q.submission();
        if (s == null) {
            throw new InvalidSubmission("the submission is empty", null);
        }
        String classPath = config.classPath();
        JobSpec spec;
        String output = s.getOutput();
        Path jar = null;
        ClassLoader loader = JobLauncher.class.getClassLoader();
        try {
            if (!s.getBuiltin().isEmpty()) {
                spec = builtin(s);
            } else {
                jar = jar(s);
                loader = userLoader(s, jar);
                spec = userJob(s, jar, loader);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidSubmission(e.getMessage(), e);
        }
        // A resumed run keeps its plan (the split count may have depended on the cluster's size then),
        // so its recorded map outputs match the tasks; without the plan file it starts afresh.
        Path resumedPlan = q.resume() == null ? null
                : config.stateDir().resolve("plans").resolve(q.resume().runId() + ".plan");
        boolean resuming = resumedPlan != null && Files.isRegularFile(resumedPlan);
        String runId = resuming ? q.resume().runId() : q.run() == 0 ? q.jobId() : q.jobId() + ".r" + q.run();
        JobPlan plan;
        try {
            plan = resuming ? JobPlan.fromBytes(Files.readAllBytes(resumedPlan), loader)
                    : spec.plan(q.name(), s.getPartitions() > 0 ? PlanOptions.defaults().withPartitions(s.getPartitions())
                    : PlanOptions.defaults().withDefaultSplits(defaultSplits));
        } catch (IllegalArgumentException e) {
            throw new InvalidSubmission(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new InvalidSubmission("cannot read the plan of run " + runId + " to resume it: " + e.getMessage(), e);
        }
        if (!(plan.finalStage().output() instanceof StageOutput.ToSink sink)) {
            throw new InvalidSubmission("a job run by the service must write its result to a sink", null);
        }
        Sink<?> out = sink.sink().get();
        for (int r = 0; r < q.run(); r++) {
            abandon(out, r == 0 ? q.jobId() : q.jobId() + ".r" + r);
        }
        if (resuming && committedBefore(out, runId)) {
            // The service stopped after the run's commit and before recording its end: it is done.
            abandon(out, runId);
            throw new AlreadyCommitted(runId, output);
        }
        if (q.resume() != null) {
            // The interrupted run's staged output (tasks of the final stage, some half written) goes:
            // every sink task runs again, so nothing of the old attempts is committed with the job.
            abandon(out, q.resume().runId());
        }
        JobCommitter<?> committer;
        try {
            committer = out.beginJob(runId);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new InvalidSubmission(e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidSubmission("cannot prepare the output: " + e.getMessage(), e);
        }
        Path planFile = config.stateDir().resolve("plans").resolve(runId + ".plan");
        try {
            Files.createDirectories(planFile.getParent());
            if (!resuming) {
                Files.write(planFile, plan.toBytes());
            }
        } catch (IOException | IllegalArgumentException e) {
            try {
                committer.abortJob();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new InvalidSubmission("cannot ship the plan: " + e.getMessage(), e);
        }
        // Agents fetch the plan (and the jar) from this service into each executor's sandbox, checked
        // against the SHA-256 and cached by it; the executor reads them there.
        String planSha256 = sha256(planFile);
        String planUri = artifacts.publish(planFile, planSha256, "plan");
        JobRun run = new JobRun(q.jobId(), runId, q.name(), plan, planUri, committer, output, classPath,
                nowMs, config.maxAttempts());
        run.speculation = config.speculation();
        run.resumed = resuming;
        // Attempt numbers (and so task ids and attempt files) of each start of a run differ from
        // those of its earlier starts, whose tasks may still be ending on their executors.
        run.attemptBase = resuming ? Math.max(0, q.run()) * JobRun.ATTEMPTS_PER_START : 0;
        run.published.add(planSha256);
        List<io.drover.api.scheduler.TaskSpec.Uri> uris = new java.util.ArrayList<>();
        uris.add(new io.drover.api.scheduler.TaskSpec.Uri(planUri, planSha256, false, null));
        if (jar != null) {
            // Checked against the submitted SHA-256 in jar(); hashed here when none was submitted.
            String jarSha256 = s.getJarSha256().isEmpty() ? sha256(jar) : s.getJarSha256().toLowerCase(Locale.ROOT);
            run.jarUri = artifacts.publish(jar, jarSha256, "jar");
            run.jarSha256 = jarSha256;
            run.published.add(jarSha256);
            uris.add(new io.drover.api.scheduler.TaskSpec.Uri(run.jarUri, jarSha256, false, null));
        }
        run.executorUris = List.copyOf(uris);
        return run;
    }

    /** Deletes what an interrupted earlier run left uncommitted, if anything. */
    private static boolean committedBefore(Sink<?> sink, String runId) throws InvalidSubmission {
        try {
            return sink.committed(runId);
        } catch (IOException e) {
            throw new InvalidSubmission("cannot read the output to resume run " + runId + ": " + e.getMessage(), e);
        }
    }

    private static void abandon(Sink<?> sink, String runId) {
        try {
            sink.attachJob(runId).abortJob();
        } catch (IOException | RuntimeException e) {
            // Nothing left of that run, or a sink that cannot be shared: nothing to delete.
        }
    }

    static JobSpec builtin(JobSubmission s) {
        List<String> inputs = s.getInputs();
        String output = s.getOutput();
        if (output.isEmpty()) {
            throw new IllegalArgumentException("an output directory is required (--output)");
        }
        String name = s.getBuiltin().toLowerCase(Locale.ROOT);
        int want = name.equals("join") ? 2 : 1;
        if (inputs.size() != want) {
            throw new IllegalArgumentException(name + " takes " + want + " input" + (want == 1 ? "" : "s") + " (--input), not "
                    + inputs.size());
        }
        return switch (name) {
            case "wordcount" -> BuiltinJobs.wordCount(inputs.get(0), output);
            case "sort" -> BuiltinJobs.sort(inputs.get(0), output);
            case "grep" -> {
                if (s.getPattern().isEmpty()) {
                    throw new IllegalArgumentException("grep needs --pattern");
                }
                try {
                    java.util.regex.Pattern.compile(s.getPattern());
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new IllegalArgumentException("bad --pattern: " + e.getDescription(), e);
                }
                yield BuiltinJobs.grep(inputs.get(0), s.getPattern(), output);
            }
            case "join" -> BuiltinJobs.join(inputs.get(0), inputs.get(1), '\t', output);
            default -> throw new IllegalArgumentException("unknown job '" + s.getBuiltin() + "'; built-in jobs are "
                    + String.join(", ", BUILTINS));
        };
    }

    /** The user's jar, checked against its SHA-256. */
    private static Path jar(JobSubmission s) {
        URI uri;
        try {
            uri = URI.create(s.getJarUri());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad jar URI " + s.getJarUri());
        }
        if (!"file".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the jar must be a file:// URI, not " + s.getJarUri());
        }
        Path jar = Path.of(uri);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("jar not found: " + jar);
        }
        if (!s.getJarSha256().isEmpty()) {
            String actual = sha256(jar);
            if (!actual.equalsIgnoreCase(s.getJarSha256())) {
                throw new IllegalArgumentException("jar " + jar + " has SHA-256 " + actual + ", not " + s.getJarSha256()
                        + " as submitted (changed since?)");
            }
        }
        return jar;
    }

    /** The file's SHA-256 in hex; a file that cannot be read is a bad submission. */
    static String sha256(Path file) {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A class loader of the user's jar; it lives as long as the plan's classes may be used. */
    private static ClassLoader userLoader(JobSubmission s, Path jar) {
        if (s.getMainClass().isEmpty()) {
            throw new IllegalArgumentException("a user job needs --class");
        }
        try {
            return new URLClassLoader(new URL[] {jar.toUri().toURL()}, JobLauncher.class.getClassLoader());
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException("bad jar path " + jar + ": " + e.getMessage(), e);
        }
    }

    private static JobSpec userJob(JobSubmission s, Path jar, ClassLoader loader) {
        try {
            Class<?> c = Class.forName(s.getMainClass(), true, loader);
            if (!UserJob.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException(s.getMainClass() + " does not implement " + UserJob.class.getName());
            }
            UserJob job = (UserJob) c.getDeclaredConstructor().newInstance();
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(loader);
            try {
                return job.define(List.copyOf(s.getArgs()));
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("class " + s.getMainClass() + " not found in " + jar.getFileName());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot make a " + s.getMainClass() + ": " + e, e);
        } catch (LinkageError e) {
            throw new IllegalArgumentException("cannot load " + s.getMainClass() + ": " + e, e);
        }
    }
}
