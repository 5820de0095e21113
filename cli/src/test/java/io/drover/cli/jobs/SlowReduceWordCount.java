package io.drover.cli.jobs;

import io.drover.connectors.file.FileSinkConfig;
import io.drover.connectors.text.TextLineSink;
import io.drover.connectors.text.TextLineSource;
import io.drover.connectors.text.TextSourceConfig;
import io.drover.job.api.Dataset;
import io.drover.job.api.JobSpec;
import io.drover.job.api.Pair;
import io.drover.job.api.TaskContext;
import io.drover.job.api.UserJob;
import io.drover.job.serde.Serdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A wordcount whose map stage runs freely and whose reduce stage waits: every map task attempt
 * leaves {@code GATE.map-<partition>-<attempt>} (so a test counts the map attempts that ran), and
 * every reduce task attempt writes {@code GATE.reduce-started-<partition>} at its first record and
 * then holds until the gate file exists (at most 60 s). Args: INPUT OUTPUT GATE.
 */
public final class SlowReduceWordCount implements UserJob {
    @Override
    public JobSpec define(List<String> args) {
        String input = args.get(0);
        String output = args.get(1);
        String gate = args.get(2);
        return Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input)))
                .flatMap(line -> {
                    TaskContext c = TaskContext.current();
                    Gate.mark(Path.of(gate + ".map-" + c.partition() + "-" + c.attempt()));
                    return Arrays.asList(line.split(" "));
                })
                .filter(w -> !w.isEmpty())
                .mapToPair(w -> Pair.of(w, 1L), Serdes.string(), Serdes.longs())
                .reduceByKey(Long::sum)
                .pairs()
                .map(p -> {
                    if (!Files.exists(Path.of(gate))) {
                        Gate.mark(Path.of(gate + ".reduce-started-" + TaskContext.current().partition()));
                        Gate.waitFor(Path.of(gate));
                    }
                    return p.key() + "\t" + p.value();
                })
                .write(() -> new TextLineSink(FileSinkConfig.of(Path.of(output))));
    }
}
