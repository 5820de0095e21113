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
 * A wordcount whose first attempt of every map task, at its first record, writes
 * {@code GATE.started-<partition>} and then holds until the gate file exists (at most 60 s), so a
 * test can kill an executor while its tasks run. Args: INPUT OUTPUT GATE.
 */
public final class SlowWordCount implements UserJob {
    @Override
    public JobSpec define(List<String> args) {
        String input = args.get(0);
        String output = args.get(1);
        String gate = args.get(2);
        return Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input)))
                .flatMap(line -> {
                    TaskContext c = TaskContext.current();
                    if (c.attempt() == 0 && !Files.exists(Path.of(gate))) {
                        Gate.mark(Path.of(gate + ".started-" + c.partition()));
                        Gate.waitFor(Path.of(gate));
                    }
                    return Arrays.asList(line.split(" "));
                })
                .filter(w -> !w.isEmpty())
                .mapToPair(w -> Pair.of(w, 1L), Serdes.string(), Serdes.longs())
                .reduceByKey(Long::sum)
                .pairs()
                .map(p -> p.key() + "\t" + p.value())
                .write(() -> new TextLineSink(FileSinkConfig.of(Path.of(output))));
    }
}
