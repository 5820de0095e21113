package io.drover.job.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.job.builtin.BuiltinJobs;
import io.drover.job.executor.TaskData;
import io.drover.job.executor.TaskOutcome;
import io.drover.job.plan.JobPlan;
import io.drover.job.plan.PlanOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's bookkeeping of one job, driven by hand: readiness, locality, retries, lost outputs. */
class JobRunTest {

    @TempDir
    Path dir;
    JobRun job;
    final Map<String, String> httpAddresses = new HashMap<>(Map.of("a", "a:1", "b", "b:1"));
    final java.util.function.Function<String, TaskData.Agent> http =
            a -> new TaskData.Agent(httpAddresses.getOrDefault(a, ""), "host-" + a, "/shuffle/" + a);
    static final TaskOutcome OK = new TaskOutcome(5, 100, 0, -1, -1, "", "");

    @BeforeEach
    void plan() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("1.txt"), "a b\n");
        Files.writeString(in.resolve("2.txt"), "b c\n");
        JobPlan plan = BuiltinJobs.wordCount(in.toString(), dir.resolve("out").toString())
                .plan("wc", PlanOptions.defaults().withPartitions(2));
        job = new JobRun("wc-1", "wc-1", "wc", plan, "file:///p", null, "", "cp", 0, 2);
    }

    private JobRun.Attempt launch(int stage, int partition, String agent) {
        String id = job.nextTaskId(stage, partition);
        job.launch("fw", stage, partition, id, agent, http, 0);
        return job.attempts.remove(id);
    }

    @Test
    void reducersWaitForEveryMapAndPreferTheAgentWithTheirInput() {
        assertEquals(2, job.stages[0].tasks.length);
        assertArrayEquals(new int[] {0, 0}, job.pick("a", "anyhost", 0, 1000), "source splits of the local disk have no host");
        JobRun.Attempt m0 = launch(0, 0, "a");
        JobRun.Attempt m1 = launch(0, 1, "a");
        assertNull(job.pick("a", "h", 0, 1000), "both maps run, reducers wait");
        assertEquals(JobRun.Verdict.NOTHING, job.finished(m0, OK, 10));
        assertEquals(JobRun.Verdict.STAGE_DONE, job.finished(m1, OK, 20));
        assertNull(job.pick("b", "h", 100, 1000), "agent a holds all map output: b waits");
        assertArrayEquals(new int[] {1, 0}, job.pick("a", "h", 100, 1000));
        assertArrayEquals(new int[] {1, 0}, job.pick("b", "h", 1020, 1000), "after the locality wait, any agent");
        String id = job.nextTaskId(1, 0);
        TaskData data = job.launch("fw", 1, 0, id, "b", http, 0);
        assertEquals(Map.of("a", new TaskData.Agent("a:1", "host-a", "/shuffle/a"), "b", new TaskData.Agent("b:1", "host-b", "/shuffle/b")),
                data.agents(), "where the map outputs are, and the reducer's own agent");
        assertEquals(2, data.outputs().get(0).size());
    }

    @Test
    void aLostMapOutputRunsTheMapAgainAndTooManyFailuresFailTheJob() {
        job.finished(launch(0, 0, "a"), OK, 0);
        job.finished(launch(0, 1, "b"), OK, 0);
        JobRun.Attempt r0 = launch(1, 0, "a");
        TaskOutcome lost = TaskOutcome.parse("fetch-failed stage=0 map=1: gone");
        assertEquals(JobRun.Verdict.NOTHING, job.failed(r0, "gone", lost, false, 5));
        assertFalse(job.stages[0].complete(), "map 1 must run again");
        assertArrayEquals(new int[] {0, 1}, job.pick("a", "h", 5, 0));
        assertEquals("wc-1-s0-p1-a1", job.nextTaskId(0, 1), "under a new attempt number");
        job.finished(launch(0, 1, "a"), OK, 6);
        assertTrue(job.stages[0].complete());
        assertEquals(0, job.agentLost("b", 7));
        assertEquals(2, job.agentLost("a", 7), "outputs on a lost agent run again");
        assertFalse(job.stages[0].complete());
        JobRun.Attempt again = launch(0, 0, "b");
        assertEquals(JobRun.Verdict.NOTHING, job.failed(again, "boom", new TaskOutcome(-1, 0, 0, -1, -1, "", ""), true, 8));
        assertEquals(JobRun.Verdict.JOB_FAILED, job.failed(launch(0, 0, "b"), "boom 2", new TaskOutcome(-1, 0, 0, -1, -1, "", ""),
                true, 9));
        assertTrue(job.failure.startsWith("boom 2 (after "), job.failure);
    }

    @Test
    void aFailedFetchRunsAgainEveryNeededOutputOfThatAgentAtOnce() {
        job.finished(launch(0, 0, "b"), OK, 0);
        job.finished(launch(0, 1, "b"), OK, 0);
        JobRun.Attempt r0 = launch(1, 0, "a");
        JobRun.Attempt r1 = launch(1, 1, "a");
        job.failed(r0, "refused", TaskOutcome.parse("fetch-failed stage=0 map=0: connection refused"), false, 5);
        assertEquals(0, job.stages[0].done, "map 1 on the same agent runs again too, before another reducer trips on it");
        assertArrayEquals(new int[] {0, 0}, job.pick("a", "h", 5, 0));
        job.failed(r1, "refused", TaskOutcome.parse("fetch-failed stage=0 map=1: connection refused"), false, 6);
        assertEquals(0, job.stages[1].tasks[1].failures, "a fetch failure is not the reducer's own");
    }

    @Test
    void aStragglerGetsACopyOnAnotherAgentAndTheFirstToFinishWins() throws Exception {
        Path in = Files.createDirectories(dir.resolve("four"));
        for (int i = 0; i < 4; i++) {
            Files.writeString(in.resolve(i + ".txt"), "w" + i + "\n");
        }
        JobPlan plan = BuiltinJobs.wordCount(in.toString(), dir.resolve("out4").toString())
                .plan("wc", PlanOptions.defaults().withPartitions(4));
        job = new JobRun("wc-2", "wc-2", "wc", plan, "file:///p", null, "", "cp", 0, 2);
        job.speculation = true;
        JobRun.Attempt[] maps = new JobRun.Attempt[4];
        for (int m = 0; m < 4; m++) {
            String id = job.nextTaskId(0, m);
            job.launch("fw", 0, m, id, "a", http, 0);
            maps[m] = job.attempts.get(id);
        }
        for (int m = 0; m < 3; m++) {
            job.finished(job.attempts.remove(maps[m].taskId()), OK, 1000);
        }
        assertNull(job.pick("b", "h", 1400, 0), "not yet 1.5 times the median of 1000 ms");
        assertNull(job.pick("a", "h", 1600, 0), "never on the agent the task runs on");
        assertArrayEquals(new int[] {0, 3}, job.pick("b", "h", 1600, 0));
        String copy = job.nextTaskId(0, 3);
        job.launch("fw", 0, 3, copy, "b", http, 1600);
        assertNull(job.pick("c", "h", 5000, 0), "one copy at most");
        JobRun.Attempt winner = job.attempts.remove(copy);
        assertEquals(java.util.List.of(maps[3].taskId()), job.otherAttempts(winner));
        assertEquals(JobRun.Verdict.STAGE_DONE, job.finished(winner, OK, 1700));
        assertEquals(JobRun.Verdict.NOTHING, job.failed(job.attempts.remove(maps[3].taskId()), "killed",
                TaskOutcome.parse("killed"), false, 1710));
        assertEquals(0, job.stages[0].failedAttempts, "the killed loser is no failure");
        assertEquals("b", job.stages[0].tasks[3].output.agentId());
    }

    /** A STATE or MAP_OUTPUTS event of run {@code runId} of job wc-1, as the service writes them. */
    private static io.drover.api.protocol.JobEvent event(io.drover.api.protocol.JobEventKind kind,
            io.drover.api.protocol.JobState state, String runId, java.util.List<io.drover.api.protocol.MapOutput> outputs) {
        return io.drover.api.protocol.JobEvent.newBuilder()
                .setHeader(io.drover.api.Envelopes.header("test", java.time.Clock.systemUTC()))
                .setJobId("wc-1").setName("wc").setKind(kind).setState(state).setRunId(runId).setMapOutputs(outputs)
                .build();
    }

    @Test
    void aResumedRunKeepsTheRecordedMapOutputsAndRunsOnlyTheRest() {
        JobRun.Attempt m0 = launch(0, 0, "a");
        JobRun.Attempt m1 = launch(0, 1, "b");
        job.finished(m0, new TaskOutcome(7, 70, 0, -1, -1, "", ""), 10);
        assertEquals(JobRun.Verdict.STAGE_DONE, job.finished(m1, new TaskOutcome(3, 30, 0, -1, -1, "", ""), 20));
        java.util.List<java.util.List<io.drover.api.protocol.MapOutput>> batches = JobCheckpoint.outputsOf(job, 0, http);
        assertEquals(1, batches.size());
        assertEquals("/shuffle/b", batches.get(0).get(1).getShuffleDir());

        JobCheckpoint log = new JobCheckpoint();
        log.replay(event(io.drover.api.protocol.JobEventKind.STATE, io.drover.api.protocol.JobState.RUNNING, "wc-1",
                java.util.List.of()));
        log.replay(event(io.drover.api.protocol.JobEventKind.MAP_OUTPUTS, io.drover.api.protocol.JobState.RUNNING, "wc-1",
                batches.get(0)));
        log.replay(event(io.drover.api.protocol.JobEventKind.MAP_OUTPUTS, io.drover.api.protocol.JobState.RUNNING, "other",
                java.util.List.of(batches.get(0).get(0))));
        JobLauncher.Resume resume = log.resume("wc-1");
        assertEquals("wc-1", resume.runId());
        assertEquals(2, resume.outputs().size(), "a record of another run does not count");

        JobRun again = new JobRun("wc-1", resume.runId(), "wc", job.plan, "file:///p", null, "", "cp", 100, 2);
        again.attemptBase = JobRun.ATTEMPTS_PER_START;
        assertEquals(2, JobCheckpoint.restore(again, resume.outputs(), 100));
        assertTrue(again.stages[0].complete());
        assertEquals(10, again.stages[0].records);
        assertEquals(100, again.stages[0].bytes);
        assertArrayEquals(new int[] {1, 0}, again.pick("a", "h", 100, 0), "the map stage does not run again");
        assertEquals("wc-1-s1-p0-a1000", again.nextTaskId(1, 0), "above the attempt numbers of the first start");
        TaskData data = again.launch("fw", 1, 0, again.nextTaskId(1, 0), "a", http, 100);
        assertEquals(java.util.List.of(new TaskData.Output(0, "a"), new TaskData.Output(0, "b")), data.outputs().get(0),
                "the reducer reads the recorded outputs");
        assertEquals(1000, data.attempt());

        // A recorded output that turned out to be gone runs again, as any lost output does.
        JobRun.Attempt r0 = again.attempts.remove("wc-1-s1-p0-a1000");
        again.failed(r0, "gone", TaskOutcome.parse("fetch-failed stage=0 map=1: gone"), false, 110);
        assertArrayEquals(new int[] {0, 1}, again.pick("b", "h", 110, 0));
        assertEquals("wc-1-s0-p1-a1000", again.nextTaskId(0, 1));

        log.replay(event(io.drover.api.protocol.JobEventKind.STATE, io.drover.api.protocol.JobState.SUCCEEDED, "wc-1",
                java.util.List.of()));
        assertNull(log.resume("wc-1"), "an ended job is not resumed");
        log.replay(event(io.drover.api.protocol.JobEventKind.STATE, io.drover.api.protocol.JobState.RUNNING, "",
                java.util.List.of()));
        assertNull(log.resume("wc-1"), "a start that recorded no run id starts afresh");
    }

    @Test
    void aRestoredOutputOfAStageWithoutMapOutputOrOutsideThePlanIsIgnored() {
        assertFalse(job.restore(1, 0, 0, "a", 1, 1), "the final stage writes the sink");
        assertFalse(job.restore(0, 5, 0, "a", 1, 1));
        assertFalse(job.restore(7, 0, 0, "a", 1, 1));
        assertTrue(job.restore(0, 1, 0, "a", 1, 1));
        assertFalse(job.restore(0, 1, 3, "b", 1, 1), "done already");
        job.restored(5);
        assertArrayEquals(new int[] {0, 0}, job.pick("a", "h", 5, 0));
    }
}
