package io.drover.job.executor;

import io.drover.job.shuffle.HttpShuffleFetcher;
import io.drover.job.shuffle.LocalShuffleFetcher;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleFetchException;
import io.drover.job.shuffle.ShuffleFetcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A reduce task's fetcher on a job executor: the map outputs named in its {@link TaskData} are
 * read from disk when this agent holds them, and from the holding agent's shuffle service over
 * HTTP otherwise.
 */
final class ClusterShuffleFetcher implements ShuffleFetcher {

    private final TaskData task;
    private final String localAgentId;
    private final Path workDir;
    private final HttpShuffleFetcher http;

    ClusterShuffleFetcher(TaskData task, String localAgentId, Path workDir, HttpShuffleFetcher http) {
        this.task = task;
        this.localAgentId = localAgentId;
        this.workDir = workDir;
        this.http = http;
    }

    @Override
    public RecordStream fetch(int stage, int map, int reducePartition) throws IOException {
        List<TaskData.Output> maps = task.outputs().get(stage);
        if (maps == null || map >= maps.size() || maps.get(map) == null) {
            throw new ShuffleFetchException(stage, map, "the task was given no location of stage " + stage
                    + " map task " + map, null);
        }
        TaskData.Output o = maps.get(map);
        if (o.agentId().equals(localAgentId)) {
            return LocalShuffleFetcher.open(workDir, stage, map, o.attempt(), reducePartition);
        }
        String address = task.agents().get(o.agentId());
        if (address == null || address.isEmpty()) {
            throw new ShuffleFetchException(stage, map, "agent " + o.agentId() + " serves no HTTP", null);
        }
        return http.fetch(address, stage, map, o.attempt(), reducePartition);
    }
}
