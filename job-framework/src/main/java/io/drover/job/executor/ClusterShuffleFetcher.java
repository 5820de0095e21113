package io.drover.job.executor;

import io.drover.job.shuffle.HttpShuffleFetcher;
import io.drover.job.shuffle.LocalShuffleFetcher;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleFetchException;
import io.drover.job.shuffle.ShuffleFetcher;
import io.drover.job.shuffle.ShuffleFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reduce task's fetcher on a job executor: the map outputs named in its {@link TaskData} are
 * read from disk when this agent holds them, or when another agent on the same host (same host
 * name in the task data) holds them and its index file is readable at the path that agent
 * reported; from the holding agent's shuffle service over HTTP otherwise, including when the
 * local read fails.
 */
final class ClusterShuffleFetcher implements ShuffleFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterShuffleFetcher.class);

    private final TaskData task;
    private final String localAgentId;
    private final Path workDir;
    private final HttpShuffleFetcher http;
    private int readFromDisk;

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
        Path sameHost = sameHostDir(o.agentId());
        if (sameHost != null && Files.isReadable(ShuffleFiles.index(sameHost, stage, map, o.attempt()))) {
            try {
                RecordStream s = LocalShuffleFetcher.open(sameHost, stage, map, o.attempt(), reducePartition);
                readFromDisk++;
                return s;
            } catch (IOException e) {
                // Deleted or unreadable meanwhile: the agent's shuffle service may still have it.
                LOG.debug("map output of stage {} map {} not readable in {}: {}; fetching it over HTTP", stage, map, sameHost, e.toString());
            }
        }
        TaskData.Agent where = task.agents().get(o.agentId());
        if (where == null || where.http().isEmpty()) {
            throw new ShuffleFetchException(stage, map, "agent " + o.agentId() + " serves no HTTP", null);
        }
        return http.fetch(where.http(), stage, map, o.attempt(), reducePartition);
    }

    /**
     * The job's shuffle directory of another agent on this host, whose map outputs this reducer can
     * read from disk; null when that agent is on another host or either host or its directory is
     * unknown.
     */
    private Path sameHostDir(String agentId) {
        TaskData.Agent self = task.agents().get(localAgentId);
        TaskData.Agent other = task.agents().get(agentId);
        if (self == null || other == null || self.host().isEmpty() || !self.host().equals(other.host()) || other.shuffleDir().isEmpty()) {
            return null;
        }
        try {
            return Path.of(other.shuffleDir()).resolve(task.jobId());
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /** Blocks this fetcher read from another agent's directory on this host instead of over HTTP. */
    int readFromDisk() {
        return readFromDisk;
    }
}
