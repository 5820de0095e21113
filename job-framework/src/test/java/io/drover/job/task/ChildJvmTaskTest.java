package io.drover.job.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.text.TextLineSource;
import io.drover.connectors.text.TextSourceConfig;
import io.drover.job.api.Dataset;
import io.drover.job.api.Pair;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.PlanOptions;
import io.drover.job.serde.Serdes;
import io.drover.job.shuffle.LocalShuffleFetcher;
import io.drover.job.shuffle.MapOutputs;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Map tasks run in separate JVMs from a shipped plan, as executors will run them, and a reducer in
 * this JVM reads their output from disk: the plan, its lambdas and the shuffle format cross a
 * process boundary intact.
 */
class ChildJvmTaskTest {

    @TempDir
    Path dir;

    @Test
    void mapTasksInChildJvmsFeedAReducerHere() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Map<String, Long> expected = new TreeMap<>();
        for (int f = 0; f < 2; f++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                String word = "w" + (i * 7 + f) % 113;
                sb.append(word).append('\n');
                expected.merge(word, 1L, Long::sum);
            }
            Files.writeString(in.resolve("f" + f), sb);
        }
        String path = in.toString();
        JobPlan plan = Dataset.read(() -> new TextLineSource(TextSourceConfig.of(path)))
                .mapToPair(w -> new Pair<>(w, 1L), Serdes.string(), Serdes.longs())
                .reduceByKey(Long::sum)
                .collect()
                .plan("child-wc", PlanOptions.defaults().withPartitions(2));
        Path planFile = dir.resolve("plan.bin");
        Files.write(planFile, plan.toBytes());
        Path workDir = Files.createDirectories(dir.resolve("work"));
        MapOutputs outputs = new MapOutputs();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int m = 0; m < plan.stage(0).partitions(); m++) {
            Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    ChildTaskMain.class.getName(), planFile.toString(), workDir.toString(), "0", Integer.toString(m),
                    "0").redirectErrorStream(true).start();
            String out;
            try {
                out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child task did not finish");
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("records 3000"), out);
            outputs.register(0, m, 0, "localhost");
        }
        TaskEnv env = new TaskEnv(workDir, new LocalShuffleFetcher(workDir, outputs), ShuffleConfig.defaults(),
                stage -> null);
        Map<String, Long> got = new TreeMap<>();
        for (int r = 0; r < plan.stage(1).partitions(); r++) {
            TaskRunner.run(plan, 1, r, 0, env);
            outputs.register(1, r, 0, "localhost");
            try (RecordStream s = env.fetcher().fetch(1, r, 0)) {
                while (s.next()) {
                    Pair<String, Long> pair = Serdes.pair(Serdes.string(), Serdes.longs())
                            .read(s.value(), 0, s.valueLength());
                    got.put(pair.key(), pair.value());
                }
            }
        }
        assertEquals(expected, got);
        List<Path> leftovers = new ArrayList<>();
        try (var files = Files.walk(workDir.resolve("spill"))) {
            files.filter(Files::isRegularFile).forEach(leftovers::add);
        } catch (java.nio.file.NoSuchFileException e) {
            // No spill directory at all: nothing left over.
        }
        assertEquals(List.of(), leftovers);
    }
}
