package io.drover.cli.jobs;

import io.drover.connectors.file.FileSinkConfig;
import io.drover.connectors.text.TextLineSink;
import io.drover.connectors.text.TextLineSource;
import io.drover.connectors.text.TextSourceConfig;
import io.drover.job.api.Dataset;
import io.drover.job.api.JobSpec;
import io.drover.job.api.UserJob;
import java.nio.file.Path;
import java.util.List;

/** A user job whose function throws on a line containing "poison": args are INPUT OUTPUT. */
public final class FailingJob implements UserJob {
    @Override
    public JobSpec define(List<String> args) {
        String input = args.get(0);
        String output = args.get(1);
        return Dataset.read(() -> new TextLineSource(TextSourceConfig.of(input)))
                .map(line -> {
                    if (line.contains("poison")) {
                        throw new IllegalStateException("poisoned line: " + line);
                    }
                    return line;
                })
                .write(() -> new TextLineSink(FileSinkConfig.of(Path.of(output))));
    }
}
