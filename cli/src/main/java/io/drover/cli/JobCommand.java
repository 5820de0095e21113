package io.drover.cli;

import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.JobEventKind;
import io.drover.api.protocol.JobState;
import io.drover.api.protocol.JobSubmission;
import io.drover.api.protocol.StageProgress;
import io.drover.job.executor.Sha256;
import io.drover.job.service.JobClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover job submit|status|list|kill|logs}: jobs through the job service, over drover.jobs. */
@Command(name = "job", mixinStandardHelpOptions = true,
        description = {"Submit jobs to the job service and follow them (see `drover jobs serve`; `drover local` runs one)."},
        subcommands = {JobCommand.Submit.class, JobCommand.Status.class, JobCommand.ListJobs.class, JobCommand.Kill.class,
            JobCommand.Logs.class})
final class JobCommand {

    /** Exit codes: the job succeeded, failed, or the request was bad. */
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    /** The service's prefix for a submission it refused. */
    static final String INVALID = "invalid job: ";

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = {"Run a job and show its progress: a built-in one (wordcount, sort, grep, join) or a user job",
                "from a jar (--jar my.jar --class com.example.MyJob -- ARGS). Exits 0 when the job succeeds, 1 when it",
                "fails, 2 for bad usage or input."})
    static final class Submit implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--input", paramLabel = "PATH", description = "input file, directory or glob (join: twice)")
        List<String> inputs = new ArrayList<>();

        @Option(names = "--output", paramLabel = "DIR", description = "output directory (must not hold data)")
        Path output;

        @Option(names = "--partitions", defaultValue = "0", description = "partitions of every stage (default: from the input size)")
        int partitions;

        @Option(names = "--pattern", description = "grep: the Java regular expression")
        String pattern = "";

        @Option(names = "--jar", description = "a user job's jar (same path on every agent)")
        Path jar;

        @Option(names = "--class", description = "the user job's class, implementing io.drover.job.api.UserJob")
        String mainClass = "";

        @Option(names = "--detach", description = "print the job id and return at once")
        boolean detach;

        @Option(names = "--answer-timeout", defaultValue = "30s", converter = Units.DurationConverter.class,
                description = "fail when no job service answers within this time (default: ${DEFAULT-VALUE})")
        Duration answerTimeout;

        @Parameters(paramLabel = "NAME|ARGS", description = "the built-in job's name; with --jar, the job's arguments after --")
        List<String> positional = new ArrayList<>();

        @Override
        public Integer call() {
            JobSubmission submission;
            String name;
            try {
                if (jar == null) {
                    if (positional.size() != 1) {
                        throw new IllegalArgumentException("name one built-in job (wordcount, sort, grep, join), or give --jar and --class");
                    }
                    name = positional.get(0).toLowerCase(Locale.ROOT);
                    submission = builtin(name);
                } else {
                    name = mainClass.isEmpty() ? "job" : mainClass.substring(mainClass.lastIndexOf('.') + 1);
                    submission = userJob();
                }
            } catch (IllegalArgumentException e) {
                System.err.println("drover job: " + e.getMessage());
                return BAD_INPUT;
            }
            try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
                String jobId = client.submit(name, submission);
                if (detach) {
                    System.out.println(jobId);
                    return OK;
                }
                System.err.println("submitted job " + jobId);
                return follow(client, jobId, System.out, System.console() != null, answerTimeout);
            } catch (IllegalStateException e) {
                System.err.println("drover job: " + e.getMessage());
                return FAILED;
            }
        }

        private JobSubmission builtin(String name) {
            if (!List.of("wordcount", "sort", "grep", "join").contains(name)) {
                throw new IllegalArgumentException("unknown job '" + name + "'; built-in jobs are wordcount, sort, grep, join");
            }
            int want = name.equals("join") ? 2 : 1;
            if (inputs.size() != want) {
                throw new IllegalArgumentException(name + " takes " + want + " --input, got " + inputs.size());
            }
            if (output == null) {
                throw new IllegalArgumentException("--output is required");
            }
            if (name.equals("grep") && pattern.isEmpty()) {
                throw new IllegalArgumentException("grep needs --pattern");
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("--partitions must not be negative");
            }
            List<String> absolute = new ArrayList<>();
            for (String in : inputs) {
                absolute.add(checkInput(in));
            }
            Path out = output.toAbsolutePath().normalize();
            checkOutput(out);
            return JobSubmission.newBuilder().setBuiltin(name).setInputs(absolute).setOutput(out.toString())
                    .setPattern(pattern).setPartitions(partitions).setSubmitter(System.getProperty("user.name", "")).build();
        }

        private JobSubmission userJob() {
            if (mainClass.isEmpty()) {
                throw new IllegalArgumentException("--jar needs --class");
            }
            Path j = jar.toAbsolutePath().normalize();
            if (!Files.isRegularFile(j)) {
                throw new IllegalArgumentException("jar not found: " + jar);
            }
            return JobSubmission.newBuilder().setJarUri(j.toUri().toString()).setJarSha256(sha256(j)).setMainClass(mainClass)
                    .setArgs(positional).setPartitions(partitions).setSubmitter(System.getProperty("user.name", "")).build();
        }
    }

    /** An input made absolute; a plain path (no glob) must exist. */
    static String checkInput(String input) {
        boolean glob = input.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
        Path p = Path.of(input).toAbsolutePath().normalize();
        if (!glob && !Files.exists(p)) {
            throw new IllegalArgumentException("input path does not exist: " + input);
        }
        return glob ? Path.of(input).toAbsolutePath().toString() : p.toString();
    }

    /** The output directory must be absent or hold no data. */
    static void checkOutput(Path out) {
        if (Files.isRegularFile(out)) {
            throw new IllegalArgumentException("output " + out + " is a file, not a directory");
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.anyMatch(p -> !p.getFileName().toString().equals("_temporary"))) {
                    throw new IllegalArgumentException("output directory " + out + " already holds data; choose another");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read output directory " + out + ": " + e.getMessage());
            }
        }
    }

    static String sha256(Path file) {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Follows a submitted job to its end, printing progress and the summary; returns the exit code. */
    static int follow(JobClient client, String jobId, PrintStream out, boolean live, Duration answerTimeout) {
        JobProgressPrinter printer = new JobProgressPrinter(out, live);
        JobEvent end = client.follow(jobId, printer::onEvent, answerTimeout);
        if (end.getState() == JobState.SUCCEEDED) {
            JobProgressPrinter.summary(out, end);
            return OK;
        }
        String message = end.getMessage();
        if (message.startsWith(INVALID)) {
            System.err.println("drover job: " + message.substring(INVALID.length()));
            return BAD_INPUT;
        }
        System.err.println("drover job: job " + jobId + " " + end.getState().toString().toLowerCase(Locale.ROOT) + ": " + message);
        return FAILED;
    }

    /** The job's latest event; null, after saying so on stderr, when drover.jobs has no such job. */
    private static JobEvent find(JobClient client, String jobId) {
        JobEvent e = JobClient.latest(client.history()).get(jobId);
        if (e == null) {
            System.err.println("drover job: no job " + jobId);
        }
        return e;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show where a job stands.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Parameters(paramLabel = "JOB_ID")
        String jobId;

        @Override
        public Integer call() {
            try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
                JobEvent e = find(client, jobId);
                if (e == null) {
                    return BAD_INPUT;
                }
                System.out.printf("job %s (%s): %s%s%n", jobId, e.getName(), e.getState().toString().toLowerCase(Locale.ROOT),
                        e.getMessage().isEmpty() ? "" : " - " + e.getMessage());
                for (StageProgress s : e.getStages()) {
                    System.out.println("  " + JobProgressPrinter.line(s));
                }
                if (!e.getOutput().isEmpty()) {
                    System.out.println("  output " + e.getOutput());
                }
                return OK;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List jobs, oldest first (drover.jobs keeps 90 days).")
    static final class ListJobs implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
                Map<String, JobEvent> latest = JobClient.latest(client.history());
                System.out.printf("%-32s %-10s %-10s %-20s %s%n", "JOB", "NAME", "STATE", "UPDATED", "MESSAGE");
                for (JobEvent e : latest.values()) {
                    String message = e.getMessage().length() > 60 ? e.getMessage().substring(0, 57) + "..." : e.getMessage();
                    System.out.printf("%-32s %-10s %-10s %-20s %s%n", e.getJobId(), e.getName(),
                            e.getState().toString().toLowerCase(Locale.ROOT),
                            Instant.ofEpochMilli(e.getHeader().getTimestampMs()).toString().substring(0, 19), message);
                }
                return OK;
            }
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "Kill a job: its tasks stop and its output is discarded.")
    static final class Kill implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Parameters(paramLabel = "JOB_ID")
        String jobId;

        @Override
        public Integer call() {
            try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
                JobEvent e = find(client, jobId);
                if (e == null) {
                    return BAD_INPUT;
                }
                if (e.getState() == JobState.SUCCEEDED || e.getState() == JobState.FAILED || e.getState() == JobState.KILLED) {
                    System.err.println("drover job: job " + jobId + " already ended: " + e.getState().toString().toLowerCase(Locale.ROOT));
                    return FAILED;
                }
                client.kill(jobId, e.getName());
                System.out.println("asked the job service to kill " + jobId);
                return OK;
            }
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print every event of a job, oldest first.")
    static final class Logs implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Parameters(paramLabel = "JOB_ID")
        String jobId;

        @Override
        public Integer call() {
            try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
                int n = 0;
                for (JobEvent e : client.history()) {
                    if (!e.getJobId().equals(jobId)) {
                        continue;
                    }
                    n++;
                    String what = e.getKind() == JobEventKind.PROGRESS ? progress(e.getStages())
                            : e.getKind() == JobEventKind.MAP_OUTPUTS ? "run " + e.getRunId() + " recorded "
                                    + e.getMapOutputs().size() + " map outputs"
                            : e.getState().toString().toLowerCase(Locale.ROOT) + (e.getMessage().isEmpty() ? "" : " " + e.getMessage());
                    System.out.printf("%s %-8s %s%n", Instant.ofEpochMilli(e.getHeader().getTimestampMs()),
                            e.getKind().toString().toLowerCase(Locale.ROOT), what);
                }
                if (n == 0) {
                    System.err.println("drover job: no job " + jobId);
                    return BAD_INPUT;
                }
                return OK;
            }
        }

        private static String progress(List<StageProgress> stages) {
            StringBuilder sb = new StringBuilder();
            for (StageProgress s : stages) {
                sb.append("stage ").append(s.getStage()).append(' ').append(s.getTasksDone()).append('/')
                        .append(s.getTasksTotal()).append("  ");
            }
            return sb.toString().trim();
        }
    }
}
