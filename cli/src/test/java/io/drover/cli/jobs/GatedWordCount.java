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
 * A wordcount whose map stage cannot finish before a test lets it: the first attempt of map task 0,
 * and of every map task run by an executor of the agent with process id HOLD_PID, writes
 * {@code GATE.started-<partition>} at its first record and then holds until the gate file exists
 * (at most 60 s). The other map tasks run freely, so a test knows that every map output done before
 * the gate opens is on another agent than HOLD_PID's. Args: INPUT OUTPUT GATE HOLD_PID.
 */
public final class GatedWordCount implements UserJob {
    @Override
    public JobSpec define(List<String> args) {
        String input = args.get(0);
        String output = args.get(1);
        String gate = args.get(2);
        String holdPid = args.get(3);
        return Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input)))
                .flatMap(line -> {
                    TaskContext c = TaskContext.current();
                    boolean held = c.partition() == 0 || holdPid.equals(System.getenv("DROVER_AGENT_PID"));
                    Path marker = Path.of(gate + ".started-" + c.partition());
                    if (c.attempt() == 0 && held && !Files.exists(Path.of(gate)) && !Files.exists(marker)) {
                        Gate.mark(marker);
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
