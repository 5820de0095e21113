package io.drover.job.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.job.shuffle.HttpShuffleFetcher;
import io.drover.job.shuffle.MapOutputWriter;
import io.drover.job.shuffle.RecordStream;
import io.drover.job.shuffle.ShuffleConfig;
import io.drover.job.shuffle.ShuffleFetchException;
import io.drover.job.shuffle.ShuffleFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents' shuffle directories on one host: a reducer on agent-1 reads agent-2's map output from
 * disk when the task data puts both on the same host, and goes to agent-2's shuffle service over
 * HTTP (here: nothing listens, so a fetch failure) when the hosts differ or the file is missing.
 */
class ClusterShuffleFetcherTest {
    private static final String JOB = "job-1";
    /** Nothing listens there: reaching it means the fetcher chose HTTP. */
    private static final String NOBODY = "127.0.0.1:1";

    @TempDir
    Path root;
    Path dir1;
    Path dir2;

    @BeforeEach
    void writeAMapOutputOnAgent2() throws Exception {
        dir1 = Files.createDirectories(root.resolve("agent-1/shuffle/fw"));
        dir2 = Files.createDirectories(root.resolve("agent-2/shuffle/fw"));
        Path work = dir2.resolve(JOB);
        try (MapOutputWriter w = new MapOutputWriter(2, null, ShuffleConfig.defaults(), root.resolve("spill"))) {
            w.add(1, new byte[0], 0, 0, "on agent-2".getBytes(StandardCharsets.UTF_8), 0, 10);
            Files.createDirectories(ShuffleFiles.stageDir(work, 0));
            w.commit(ShuffleFiles.data(work, 0, 0, 0), ShuffleFiles.index(work, 0, 0, 0));
        }
    }

    private ClusterShuffleFetcher reducerOnAgent1(String host2, int attempt) {
        Map<String, TaskData.Agent> agents = new LinkedHashMap<>();
        agents.put("agent-2", new TaskData.Agent(NOBODY, host2, dir2.toString()));
        agents.put("agent-1", new TaskData.Agent("", "host-a", dir1.toString()));
        TaskData task = new TaskData("fw", JOB, "file:///plan", 1, 1, 0, agents,
                Map.of(0, List.of(new TaskData.Output(attempt, "agent-2"))));
        Path work = dir1.resolve(JOB);
        return new ClusterShuffleFetcher(task, "agent-1", work,
                new HttpShuffleFetcher.Factory(HttpShuffleFetcher.newClient()).forJob("fw", JOB, work.resolve("fetch")));
    }

    @Test
    void aMapOutputOfAnotherAgentOnThisHostIsReadFromDisk() throws Exception {
        ClusterShuffleFetcher fetcher = reducerOnAgent1("host-a", 0);
        try (RecordStream s = fetcher.fetch(0, 0, 1)) {
            assertTrue(s.next());
            assertEquals("on agent-2", new String(s.value(), 0, s.valueLength(), StandardCharsets.UTF_8));
            assertFalse(s.next());
        }
        try (RecordStream s = fetcher.fetch(0, 0, 0)) {
            assertFalse(s.next(), "an empty partition");
        }
        assertEquals(2, fetcher.readFromDisk());
    }

    @Test
    void anotherHostOrAMissingFileGoesOverHttp() {
        ClusterShuffleFetcher elsewhere = reducerOnAgent1("host-b", 0);
        ShuffleFetchException e = assertThrows(ShuffleFetchException.class, () -> elsewhere.fetch(0, 0, 1));
        assertEquals(0, e.map());
        assertEquals(0, elsewhere.readFromDisk());

        ClusterShuffleFetcher missing = reducerOnAgent1("host-a", 7);
        assertThrows(ShuffleFetchException.class, () -> missing.fetch(0, 0, 1));
        assertEquals(0, missing.readFromDisk());
    }
}
