package io.drover.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.cli.jobs.FailingJob;
import io.drover.cli.jobs.Gate;
import io.drover.cli.jobs.SlowReduceWordCount;
import io.drover.cli.jobs.SlowWordCount;
import io.drover.cli.local.LocalCluster;
import io.drover.job.service.JobClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs through {@code drover job submit} and the job service on a local cluster of a real broker,
 * a master and two agents, run by real executor processes that shuffle between the agents: the
 * results of wordcount, sort, grep and join equal a plain Java computation byte for byte, also when an
 * executor is killed mid-stage;
 * bad input exits 2 with one line, a failing function exits 1 with its reason.
 */
class JobServiceEndToEndTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Path text;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir.resolve("cluster"), 2, 0);
        cluster.startJobService();
        text = dir.resolve("text");
        Files.createDirectories(text);
        Random random = new Random(42);
        for (int f = 0; f < 4; f++) {
            StringBuilder sb = new StringBuilder();
            for (int line = 0; line < 3000; line++) {
                int words = 1 + random.nextInt(12);
                for (int w = 0; w < words; w++) {
                    // Zipf-like: small numbers are common.
                    int rank = (int) Math.floor(Math.pow(random.nextDouble(), 3) * 3000);
                    sb.append(w == 0 ? "" : " ").append("w").append(rank);
                }
                sb.append('\n');
            }
            Files.writeString(text.resolve("part-" + f + ".txt"), sb.toString());
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        killExecutorsOf(ProcessHandle.current().pid());
    }

    /**
     * Kills the executors that the agent of this process id started: they outlive a stopped agent
     * for a while (to be re-attached by its next run), and not as its descendants.
     */
    static void killExecutorsOf(long agentPid) {
        ProcessHandle.allProcesses()
                .filter(p -> environment(p).contains("DROVER_AGENT_PID=" + agentPid + "\0"))
                .forEach(ProcessHandle::destroyForcibly);
    }

    static void followUntilSucceeded(String jobId) throws Exception {
        try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
            followUntilSucceeded(client, jobId);
        }
    }

    /** Follows the job as `drover job submit` does, at most 30 s, and asserts it succeeded. */
    static void followUntilSucceeded(JobClient client, String jobId) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        int exit = JobCommand.follow(client, jobId, new PrintStream(progress, true, StandardCharsets.UTF_8), false,
                Duration.ofSeconds(30));
        assertEquals(0, exit, progress.toString(StandardCharsets.UTF_8));
    }

    /** Runs the CLI; returns exit code, stdout, stderr. */
    record Run(int exit, String out, String err) {}

    static Run drover(String... args) {
        return droverAt(cluster.bootstrap(), args);
    }

    /**
     * Runs the CLI against the broker at {@code bootstrap}, inserting {@code --bootstrap} after the
     * command and subcommand; one at a time across the job tests, as it swaps System.out and err.
     */
    static Run droverAt(String bootstrap, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add(2, "--bootstrap=" + bootstrap);
        int exit;
        synchronized (JobServiceEndToEndTest.class) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                exit = Main.run(all.toArray(String[]::new));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
        // The CLI's output and the cluster's logs meanwhile, for the test report.
        oldErr.print(out.toString(StandardCharsets.UTF_8));
        oldErr.print(err.toString(StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The job id that {@code submit --detach} printed: its one line of the form NAME-8 hex digits
     * (other threads of this JVM may log to the same stdout meanwhile).
     */
    static String jobIdIn(String out) {
        return out.lines().filter(l -> l.matches("[A-Za-z0-9_-]+-[0-9a-f]{8}")).reduce((a, b) -> {
            throw new AssertionError("two job ids in " + out);
        }).orElseThrow(() -> new AssertionError("no job id in " + out));
    }

    static List<String> inputLines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(text)) {
            for (Path f : files.sorted().toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        return lines;
    }

    /** The part files of an output, in name order, concatenated. */
    static String output(Path out) throws IOException {
        assertTrue(Files.exists(out.resolve("_SUCCESS")), "the job committed");
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }

    static String expectedWordCount() throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : inputLines()) {
            for (String w : line.split("[ \t]+")) {
                if (!w.isEmpty()) {
                    counts.merge(w, 1L, Long::sum);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((w, n) -> sb.append(w).append('\t').append(n).append('\n'));
        return sb.toString();
    }

    static String sortedLines(String s) {
        return s.lines().sorted().map(l -> l + "\n").reduce("", String::concat);
    }

    @Test
    void wordcountSortAndGrepEqualAPlainComputation() throws Exception {
        Path wc = dir.resolve("wc-out");
        Run run = drover("job", "submit", "wordcount", "--input", text.toString(), "--output", wc.toString(),
                "--partitions", "4");
        assertEquals(0, run.exit(), run.err() + run.out());
        assertTrue(run.out().contains("output   " + wc), run.out());
        assertEquals(expectedWordCount(), sortedLines(output(wc)));

        Path records = dir.resolve("records.txt");
        Random random = new Random(7);
        StringBuilder sb = new StringBuilder();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String key = String.format("%010d", i * 7919L % 1_000_003L) ;
            keys.add(key);
        }
        java.util.Collections.shuffle(keys, random);
        for (String k : keys) {
            sb.append(k).append(" ").append("x".repeat(88)).append('\n');
        }
        Files.writeString(records, sb.toString());
        Path sorted = dir.resolve("sort-out");
        run = drover("job", "submit", "sort", "--input", records.toString(), "--output", sorted.toString(), "--partitions", "3");
        assertEquals(0, run.exit(), run.err() + run.out());
        assertEquals(sortedLines(sb.toString()), output(sorted), "the part files in order are the sorted input");

        Path grep = dir.resolve("grep-out");
        run = drover("job", "submit", "grep", "--input", text.toString(), "--pattern", "w7\\b", "--output", grep.toString());
        assertEquals(0, run.exit(), run.err() + run.out());
        StringBuilder expected = new StringBuilder();
        for (String line : inputLines()) {
            if (java.util.regex.Pattern.compile("w7\\b").matcher(line).find()) {
                expected.append(line).append('\n');
            }
        }
        assertEquals(expected.toString(), output(grep), "matching lines in input order");
    }

    @Test
    void joinEqualsAPlainNestedLoopJoin() throws Exception {
        // Keys repeat on both sides (so one key gives many pairs), some keys are on one side only,
        // a value may hold the separator again, and a line without one is a key with an empty value.
        Random random = new Random(23);
        List<String> left = new ArrayList<>();
        List<String> right = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            left.add("k" + random.nextInt(1500) + "\tleft" + i + (i % 97 == 0 ? "\twith a tab" : ""));
        }
        for (int i = 0; i < 3000; i++) {
            right.add(i % 211 == 0 ? "k" + random.nextInt(2000) : "k" + (500 + random.nextInt(1500)) + "\tright" + i);
        }
        Path leftFile = dir.resolve("join-left.txt");
        Path rightDir = dir.resolve("join-right");
        Files.createDirectories(rightDir);
        Files.write(leftFile, left);
        Files.write(rightDir.resolve("a.txt"), right.subList(0, 1700));
        Files.write(rightDir.resolve("b.txt"), right.subList(1700, right.size()));
        Path out = dir.resolve("join-out");
        Run run = drover("job", "submit", "join", "--input", leftFile.toString(), "--input", rightDir.toString(), "--output",
                out.toString(), "--partitions", "3");
        assertEquals(0, run.exit(), run.err() + run.out());
        StringBuilder expected = new StringBuilder();
        List<String[]> rights = right.stream().map(JobServiceEndToEndTest::splitAtTab).toList();
        for (String l : left) {
            String[] lk = splitAtTab(l);
            for (String[] rk : rights) {
                if (lk[0].equals(rk[0])) {
                    expected.append(lk[0]).append('\t').append(lk[1]).append('\t').append(rk[1]).append('\n');
                }
            }
        }
        assertTrue(expected.length() > 0, "the inputs share keys");
        assertEquals(sortedLines(expected.toString()), sortedLines(output(out)));
    }

    /** A line's key and value: split at the first tab; no tab is a key with an empty value. */
    private static String[] splitAtTab(String line) {
        int i = line.indexOf('\t');
        return i < 0 ? new String[] {line, ""} : new String[] {line.substring(0, i), line.substring(i + 1)};
    }

    @Test
    void anExecutorKilledMidStageStillGivesTheExactOutput() throws Exception {
        Path out = dir.resolve("killed-out");
        Path gate = dir.resolve("gate");
        Path jar = jarOf(SlowWordCount.class);
        String jobId;
        try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
            Run run = drover("job", "submit", "--jar", jar.toString(), "--class", SlowWordCount.class.getName(), "--detach",
                    "--", text.toString(), out.toString(), gate.toString());
            assertEquals(0, run.exit(), run.err());
            jobId = jobIdIn(run.out());
            // Once a map task runs (it said so and waits for the gate), kill -9 an executor.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                try (Stream<Path> files = Files.list(dir)) {
                    return files.anyMatch(p -> p.getFileName().toString().startsWith("gate.started-"));
                }
            });
            ProcessHandle executor = anExecutor(jobId).orElseThrow();
            executor.destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> !executor.isAlive());
            Files.createFile(gate);
            followUntilSucceeded(client, jobId);
        }
        assertEquals(expectedWordCount(), sortedLines(output(out)));
        Run status = drover("job", "status", jobId);
        assertTrue(status.out().contains("succeeded"), status.out());
    }

    @Test
    void aRestartedServiceRunsAnUnfinishedJobAgain() throws Exception {
        Path out = dir.resolve("restart-out");
        Path gate = dir.resolve("gate-restart");
        Run run = drover("job", "submit", "--jar", jarOf(SlowWordCount.class).toString(), "--class",
                SlowWordCount.class.getName(), "--detach", "--", text.toString(), out.toString(), gate.toString());
        assertEquals(0, run.exit(), run.err());
        String jobId = jobIdIn(run.out());
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try (Stream<Path> files = Files.list(dir)) {
                return files.anyMatch(p -> p.getFileName().toString().startsWith("gate-restart.started-"));
            }
        });
        cluster.restartJobService();
        Files.createFile(gate);
        followUntilSucceeded(jobId);
        assertEquals(expectedWordCount(), sortedLines(output(out)));
        assertTrue(drover("job", "logs", jobId).out().contains("run " + jobId + " resumed"), "the new service resumed the run");
    }

    @Test
    void aRestartedServiceResumesItsJobKeepingTheFinishedMapStage() throws Exception {
        Path out = dir.resolve("resume-out");
        Path gate = dir.resolve("gate-resume");
        Run run = drover("job", "submit", "--jar", jarOf(SlowReduceWordCount.class).toString(), "--class",
                SlowReduceWordCount.class.getName(), "--detach", "--", text.toString(), out.toString(), gate.toString());
        assertEquals(0, run.exit(), run.err());
        String jobId = jobIdIn(run.out());
        // A reducer runs (and holds): the map stage is done, and its outputs are on drover.jobs.
        await().atMost(Duration.ofSeconds(60)).until(() -> !markers("gate-resume.reduce-started-").isEmpty());
        List<String> mapAttempts = markers("gate-resume.map-");
        assertTrue(!mapAttempts.isEmpty());
        cluster.restartJobService();
        Files.createFile(gate);
        followUntilSucceeded(jobId);
        try (JobClient client = new JobClient(cluster.bootstrap(), Clock.systemUTC())) {
            List<String> runIds = client.history().stream()
                    .filter(e -> e.getJobId().equals(jobId) && e.getKind() == io.drover.api.protocol.JobEventKind.STATE
                            && e.getState() == io.drover.api.protocol.JobState.RUNNING)
                    .map(e -> e.getRunId()).toList();
            assertEquals(List.of(jobId, jobId), runIds, "started once and resumed once, under one run id");
        }
        assertEquals(expectedWordCount(), sortedLines(output(out)));
        assertEquals(mapAttempts, markers("gate-resume.map-"), "no map task ran again");
        String logs = drover("job", "logs", jobId).out();
        assertTrue(logs.contains("run " + jobId + " resumed, " + mapAttempts.size() + " map tasks kept"), logs);
    }

    /** The names of the files in the test directory that start with a prefix, sorted. */
    static List<String> markers(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }

    @Test
    void aMissingInputExitsTwoWithOneLine() {
        Run run = drover("job", "submit", "wordcount", "--input", dir.resolve("nope").toString(), "--output",
                dir.resolve("never").toString());
        assertEquals(2, run.exit(), run.err());
        assertEquals("drover job: input path does not exist: " + dir.resolve("nope"), run.err().strip());
    }

    @Test
    void aFailingUserFunctionExitsOneWithItsReason() throws Exception {
        Path input = dir.resolve("poison.txt");
        Files.writeString(input, "fine\nalso fine\nthis is poison\n");
        Path out = dir.resolve("poison-out");
        Run run = drover("job", "submit", "--jar", jarOf(FailingJob.class).toString(), "--class", FailingJob.class.getName(),
                "--", input.toString(), out.toString());
        assertEquals(1, run.exit(), run.err() + run.out());
        assertTrue(run.err().contains("java.lang.IllegalStateException: poisoned line: this is poison"), run.err());
        assertTrue(!Files.exists(out.resolve("_SUCCESS")), "a failed job publishes nothing");
    }

    /** A live executor process of the job, started by one of this JVM's agents. */
    static Optional<ProcessHandle> anExecutor(String jobId) {
        return ProcessHandle.current().descendants()
                .filter(p -> commandLine(p).contains("io.drover.job.executor.JobExecutorMain"))
                .filter(p -> environment(p).contains("DROVER_EXECUTOR_ID=job-" + jobId + "\0"))
                .filter(ProcessHandle::isAlive)
                .findFirst();
    }

    /** A process's environment, NUL-separated. */
    static String environment(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A process's whole command line (ProcessHandle.Info may cut a long one). */
    static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    static Path jarOf(Class<?> job) throws IOException {
        return jarIn(dir, job);
    }

    /** A jar in {@code dir} holding a test job's class and the {@link Gate} it may use. */
    static Path jarIn(Path dir, Class<?> job) throws IOException {
        Path jar = dir.resolve(job.getSimpleName() + ".jar");
        if (Files.exists(jar)) {
            return jar;
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> c : List.of(job, Gate.class)) {
                String entry = c.getName().replace('.', '/') + ".class";
                try (var in = c.getClassLoader().getResourceAsStream(entry)) {
                    out.putNextEntry(new JarEntry(entry));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }
}
