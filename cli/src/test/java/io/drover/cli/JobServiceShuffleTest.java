package io.drover.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.drover.agent.Agent;
import io.drover.agent.AgentConfig;
import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.JobState;
import io.drover.api.protocol.StageProgress;
import io.drover.broker.EmbeddedKafka;
import io.drover.cli.jobs.GatedWordCount;
import io.drover.executor.ChronicleFlags;
import io.drover.job.service.JobClient;
import io.drover.job.service.JobService;
import io.drover.job.service.JobServiceConfig;
import io.drover.master.Master;
import io.drover.master.MasterConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shuffle of jobs through the job service under pressure, on a real broker, a master that
 * calls an agent unreachable after 3 s of silence, one agent in this JVM, and, for the agent-loss
 * test, a second agent in a child JVM that is killed with SIGKILL while it holds map outputs the
 * reducers need. Executors get a 64 MiB heap, so a sort of a few hundred MB shuffles several times
 * the memory of the executors that run it. Both results equal a plain computation byte for byte.
 */
class JobServiceShuffleTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /**
     * An executor's and a task's memory charges whose sum gives the executor a 64 MiB heap (the sum
     * less 128 MiB for the JVM's memory besides its heap, see JobServiceConfig).
     */
    private static final long EXECUTOR_MEM_MB = 64;
    private static final long TASK_MEM_MB = 128;

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static Master master;
    static Agent agent;
    static JobService service;
    /** Agent processes started by tests, killed at the end if still alive. */
    static final List<Process> agentProcesses = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        master = new Master(MasterConfig.defaults(kafka.bootstrap(), dir.resolve("master")).toBuilder()
                .masterId("shuffle-test-master").httpListen("localhost:0")
                .agentHeartbeatIntervalMs(500).agentTimeoutMs(3_000).build(), Clock.systemUTC());
        master.start();
        assertTrue(master.awaitActive(WAIT), "the master became active");
        agent = new Agent(AgentConfig.builder(kafka.bootstrap(), dir.resolve("agent-b")).cpus(2).memMb(2048).diskMb(8192)
                .httpListen("localhost:0").build());
        agent.start();
        await().atMost(WAIT).until(agent::isRegistered);
        service = new JobService(JobServiceConfig.defaults(kafka.bootstrap(), dir.resolve("jobs")).withTaskCpus(1)
                .withExecutorMemMb(EXECUTOR_MEM_MB).withTaskMemMb(TASK_MEM_MB)
                .withLocalityWaitMs(200), Clock.systemUTC());
        service.start();
        assertTrue(service.awaitReady(WAIT), "the job service subscribed");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (agent != null) {
            agent.close();
        }
        for (Process p : agentProcesses) {
            p.destroyForcibly();
            JobServiceEndToEndTest.killExecutorsOf(p.pid());
        }
        if (master != null) {
            master.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        JobServiceEndToEndTest.killExecutorsOf(ProcessHandle.current().pid());
    }

    @Test
    void anAgentKilledMidShuffleStillGivesTheExactOutput() throws Exception {
        Path text = dir.resolve("text");
        Files.createDirectories(text);
        Random random = new Random(11);
        Map<String, Long> expected = new TreeMap<>();
        for (int f = 0; f < 8; f++) {
            StringBuilder sb = new StringBuilder();
            for (int line = 0; line < 2000; line++) {
                int words = 1 + random.nextInt(10);
                for (int w = 0; w < words; w++) {
                    String word = "w" + (int) Math.floor(Math.pow(random.nextDouble(), 3) * 5000);
                    sb.append(w == 0 ? "" : " ").append(word);
                    expected.merge(word, 1L, Long::sum);
                }
                sb.append('\n');
            }
            Files.writeString(text.resolve("part-" + f + ".txt"), sb.toString());
        }
        Process doomed = startAgentProcess("agent-a");
        Path out = dir.resolve("killed-agent-out");
        Path gate = dir.resolve("gate");
        try (JobClient client = new JobClient(kafka.bootstrap(), Clock.systemUTC())) {
            // Map tasks on this JVM's agent (and map task 0) hold until the gate opens, so every map
            // output done before then is on the doomed agent.
            JobServiceEndToEndTest.Run run = drover("job", "submit", "--partitions", "8", "--jar", JobServiceEndToEndTest.jarIn(dir, GatedWordCount.class).toString(), "--class",
                    GatedWordCount.class.getName(), "--detach", "--", text.toString(), out.toString(), gate.toString(),
                    Long.toString(ProcessHandle.current().pid()));
            assertEquals(0, run.exit(), run.err());
            String jobId = JobServiceEndToEndTest.jobIdIn(run.out());
            AtomicInteger mapsDone = new AtomicInteger();
            CompletableFuture<JobEvent> end = CompletableFuture.supplyAsync(() -> client.follow(jobId, e -> {
                if (!e.getStages().isEmpty()) {
                    mapsDone.accumulateAndGet(e.getStages().get(0).getTasksDone(), Math::max);
                }
            }, Duration.ofSeconds(30)));
            await().atMost(WAIT).until(() -> mapsDone.get() >= 2 || end.isDone());
            if (end.isDone()) {
                fail("the job ended before its agent was killed: " + end.handle((e, t) -> t != null ? t.toString()
                        : e.getState() + " " + e.getMessage()).join());
            }
            assertTrue(hasMapOutput(dir.resolve("agent-a")), "the doomed agent holds map outputs");
            doomed.destroyForcibly();
            await().atMost(WAIT).until(() -> !doomed.isAlive());
            Files.createFile(gate);
            // Bounded: without its fix the job waited for the master to remove the dead agent (10 min).
            JobEvent last = end.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(JobState.SUCCEEDED, last.getState(), last.getMessage());
            int failedAttempts = last.getStages().stream().mapToInt(StageProgress::getFailedAttempts).sum();
            System.err.println("job " + jobId + " after the agent was killed: " + last.getMessage() + ", " + failedAttempts
                    + " failed attempts");
        } finally {
            if (!Files.exists(gate)) {
                Files.createFile(gate);
            }
            JobServiceEndToEndTest.killExecutorsOf(doomed.pid());
        }
        StringBuilder sb = new StringBuilder();
        expected.forEach((w, n) -> sb.append(w).append('\t').append(n).append('\n'));
        assertEquals(sb.toString(), JobServiceEndToEndTest.sortedLines(JobServiceEndToEndTest.output(out)));
    }

    @Test
    void aSortShufflingSeveralTimesTheExecutorHeapGivesTheExactOrder() throws Exception {
        Path input = dir.resolve("records.txt");
        int records = 2_400_000;
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(input), 1 << 16)) {
            byte[] line = new byte[RECORD_BYTES];
            for (int i = 0; i < records; i++) {
                // A permutation of 0..records-1 (the multiplier is a prime that does not divide records).
                os.write(record((int) ((long) i * 1_000_003L % records), line));
            }
        }
        long inputBytes = Files.size(input);
        Path out = dir.resolve("sort-out");
        long started = System.nanoTime();
        JobServiceEndToEndTest.Run run = drover("job", "submit", "sort", "--input", input.toString(), "--output", out.toString(), "--partitions", "4",
                "--detach");
        assertEquals(0, run.exit(), run.err());
        String jobId = JobServiceEndToEndTest.jobIdIn(run.out());
        long[] heapMb = {0};
        long shuffleBytes;
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            executors().forEach(p -> heapMb[0] = Math.max(heapMb[0], maxHeapMb(JobServiceEndToEndTest.commandLine(p))));
            return heapMb[0] > 0;
        });
        try (JobClient follower = new JobClient(kafka.bootstrap(), Clock.systemUTC())) {
            JobEvent end = assertTimeoutPreemptively(WAIT, () -> follower.follow(jobId, e -> { }, Duration.ofSeconds(30)));
            assertEquals(JobState.SUCCEEDED, end.getState(), end.getMessage());
            shuffleBytes = end.getStages().stream().mapToLong(StageProgress::getBytes).max().orElse(0);
        }
        System.err.printf("sorted %d MB (shuffled %d MB) with executors of %d MB heap in %d ms%n", inputBytes >> 20,
                shuffleBytes >> 20, heapMb[0],
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertTrue(shuffleBytes >= 3 * (heapMb[0] << 20), "the shuffle is several executor heaps: " + shuffleBytes
                + " bytes (compressed) through executors of " + heapMb[0] + " MiB heap");
        // The part files in name order are the records by key: 0, 1, 2, ...
        List<Path> parts;
        assertTrue(Files.exists(out.resolve("_SUCCESS")), "the job committed");
        try (Stream<Path> files = Files.list(out)) {
            parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        List<InputStream> streams = new ArrayList<>();
        for (Path p : parts) {
            streams.add(Files.newInputStream(p));
        }
        try (InputStream actual = new BufferedInputStream(new SequenceInputStream(Collections.enumeration(streams)), 1 << 16)) {
            byte[] want = new byte[RECORD_BYTES];
            byte[] got = new byte[RECORD_BYTES];
            for (int k = 0; k < records; k++) {
                record(k, want);
                int n = actual.readNBytes(got, 0, RECORD_BYTES);
                if (n != RECORD_BYTES || !java.util.Arrays.equals(want, got)) {
                    fail("record " + k + " of the sorted output: expected " + new String(want, StandardCharsets.US_ASCII).strip()
                            + " but was " + new String(got, 0, n, StandardCharsets.US_ASCII).strip());
                }
            }
            assertEquals(-1, actual.read(), "nothing after the last record");
        }
    }

    private static final int RECORD_BYTES = 100;

    /** Record {@code k}: a 10-digit key, a space, 88 letters that depend on the key, a newline. */
    private static byte[] record(int k, byte[] line) {
        int key = k;
        for (int i = 9; i >= 0; i--) {
            line[i] = (byte) ('0' + key % 10);
            key /= 10;
        }
        line[10] = ' ';
        long x = k * 0x9E3779B97F4A7C15L;
        for (int i = 11; i < RECORD_BYTES - 1; i++) {
            x ^= x >>> 29;
            x *= 0xBF58476D1CE4E5B9L;
            line[i] = (byte) ('a' + (int) Long.remainderUnsigned(x, 26));
        }
        line[RECORD_BYTES - 1] = '\n';
        return line;
    }

    /** Starts {@code drover agent} in a child JVM (2 CPUs, 1 GiB) on {@code dir/name}, once it offers. */
    private static Process startAgentProcess(String name) throws IOException {
        Path log = dir.resolve(name + ".out");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC"));
        cmd.addAll(ChronicleFlags.JVM_ARGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent", "--bootstrap",
                kafka.bootstrap(), "--work-dir", dir.resolve(name).toString(), "--cpus", "2", "--mem", "1g", "--disk", "4g",
                "--http-listen", "localhost:0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        agentProcesses.add(p);
        await().atMost(WAIT).until(() -> Files.readString(log).contains(" offers "));
        return p;
    }

    /** Whether a work directory holds a map output index. */
    private static boolean hasMapOutput(Path workDir) throws IOException {
        try (Stream<Path> files = Files.walk(workDir)) {
            return files.anyMatch(p -> p.toString().contains("shuffle") && p.getFileName().toString().endsWith(".index"));
        }
    }

    /** The job executors that this JVM's agent runs now. */
    private static Stream<ProcessHandle> executors() {
        return ProcessHandle.current().descendants()
                .filter(p -> JobServiceEndToEndTest.commandLine(p).contains("io.drover.job.executor.JobExecutorMain"));
    }

    private static long maxHeapMb(String commandLine) {
        Matcher m = Pattern.compile("-Xmx(\\d+)([mMgG])").matcher(commandLine);
        long mb = 0;
        while (m.find()) {
            mb = Long.parseLong(m.group(1)) * (m.group(2).equalsIgnoreCase("g") ? 1024 : 1);
        }
        return mb;
    }

    static JobServiceEndToEndTest.Run drover(String... args) {
        return JobServiceEndToEndTest.droverAt(kafka.bootstrap(), args);
    }
}
