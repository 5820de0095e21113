package io.drover.job.executor;

import io.drover.api.codec.ProtocolTrust;
import io.drover.api.protocol.executor.ExecutorHello;
import io.drover.executor.ChannelEnd;
import io.drover.job.builtin.BuiltinJobs;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.PlanOptions;
import io.drover.job.shuffle.ShuffleConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Walks a job executor's start-up path without an agent, so that a JVM run with
 * {@code -XX:ArchiveClassesAtExit} archives the classes an executor loads before its first task
 * runs (Chronicle queues, the executor protocol, the job executor, plans and task data). Executors
 * started with that archive ({@code -XX:SharedArchiveFile}) map those classes instead of loading
 * and verifying them: about half the CPU of an executor's start. Works in a temporary directory it
 * deletes; exits 0 when done, 1 when a step failed (the archive is then not used).
 */
public final class ExecutorClassWarmup {

    private ExecutorClassWarmup() {}

    public static void main(String[] args) {
        try {
            run();
        } catch (IOException | RuntimeException e) {
            System.err.println("drover executor class warm-up failed: " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run() throws IOException {
        ProtocolTrust.ensure();
        Path dir = Files.createTempDirectory("drover-warmup");
        try {
            Clock clock = Clock.systemUTC();
            Path queues = dir.resolve("queues");
            try (ChannelEnd agent = ChannelEnd.agentEnd(queues, clock); ChannelEnd executor = ChannelEnd.executorEnd(queues, clock)) {
                executor.send(ExecutorHello.newBuilder().setExecutorId("warmup").setPid(ProcessHandle.current().pid()).build());
                long deadline = System.currentTimeMillis() + 30_000;
                while (agent.poll() == null) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IOException("the hello did not arrive through the queues within 30 s");
                    }
                    Thread.onSpinWait();
                }
            }
            Path input = Files.writeString(dir.resolve("in.txt"), "a b a\n");
            JobPlan plan = BuiltinJobs.wordCount(input.toString(), dir.resolve("out").toString())
                    .plan("warmup", PlanOptions.defaults().withPartitions(1));
            JobPlan.fromBytes(plan.toBytes(), ExecutorClassWarmup.class.getClassLoader());
            TaskData task = new TaskData("fw", "warmup", "file:///warmup.plan", 1, 0, 0,
                    Map.of("a", new TaskData.Agent("localhost:1", "localhost", dir.toString())),
                    Map.of(0, List.of(new TaskData.Output(0, "a"))));
            TaskData.fromBytes(task.toBytes());
            TaskOutcome.parse("records=1 bytes=1 spills=0 committed=true http=h:1 dir=/d");
            new JobExecutor("a", "localhost:1", dir.resolve("shuffle"), 1, ShuffleConfig.defaults());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
