package io.drover.job.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.connectors.file.FileSinkConfig;
import io.drover.connectors.text.TextLineSink;
import io.drover.connectors.text.TextLineSource;
import io.drover.connectors.text.TextSourceConfig;
import io.drover.job.api.Dataset;
import io.drover.job.api.JobSpec;
import io.drover.job.api.Pair;
import io.drover.job.plan.PlanOptions;
import io.drover.job.serde.Serdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of docs/jobs.md "Writing a job", as written there, and a descending sort by bytes. */
class WritingAJobExampleTest {

    @TempDir
    Path dir;

    @Test
    void theDocumentedWordCountRuns() throws Exception {
        Files.writeString(dir.resolve("book.txt"), "the cat\nthe  dog\n\n");
        String input = dir.resolve("book.txt").toString();
        String output = dir.resolve("counts").toString();

        Dataset<String> lines = Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input)));
        JobSpec job = lines
                .flatMap(line -> java.util.Arrays.asList(line.split("\\s+")))
                .filter(word -> !word.isEmpty())
                .mapToPair(word -> Pair.of(word, 1L), Serdes.string(), Serdes.longs())
                .reduceByKey(Long::sum)
                .pairs()
                .map(p -> p.key() + "\t" + p.value())
                .write(() -> new TextLineSink(FileSinkConfig.of(java.nio.file.Path.of(output))));

        try (LocalRunner runner = new LocalRunner(LocalRunnerConfig.defaults())) {
            runner.run("wordcount", job, PlanOptions.defaults().withPartitions(8));
        }
        List<String> got = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            got.addAll(Files.readAllLines(Path.of(output, String.format("part-%05d", p))));
        }
        got.sort(null);
        assertEquals(List.of("cat\t1", "dog\t1", "the\t2"), got);
    }

    @Test
    void aDescendingSortOfOrderPreservingKeysComparesBytes() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (long i = -2000; i < 2000; i++) {
            sb.append(i * 7919 % 100003).append('\n');
        }
        Files.writeString(dir.resolve("n.txt"), sb);
        String input = dir.resolve("n.txt").toString();
        List<Long> expected = new ArrayList<>();
        for (String s : sb.toString().split("\n")) {
            expected.add(Long.parseLong(s));
        }
        expected.sort(java.util.Comparator.reverseOrder());
        try (LocalRunner runner = new LocalRunner(LocalRunnerConfig.defaults())) {
            JobResult r = runner.run("desc", Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input)))
                    .mapToPair(s -> Pair.of(Long.parseLong(s), s), Serdes.longs(), Serdes.string())
                    .sortByKey(false)
                    .keys()
                    .collect(Serdes.longs()), PlanOptions.defaults().withPartitions(4));
            assertEquals(expected, r.collected(Serdes.longs()));
        }
    }
}
