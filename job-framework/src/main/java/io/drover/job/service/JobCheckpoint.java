package io.drover.job.service;

import io.drover.api.protocol.JobEvent;
import io.drover.api.protocol.JobEventKind;
import io.drover.api.protocol.JobState;
import io.drover.api.protocol.MapOutput;
import io.drover.job.executor.TaskData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a run leaves on {@code drover.jobs} for a restarted service to go on with it: the run id (on
 * the STATE event that starts the run) and, each time a map stage completes, where its tasks' outputs
 * are (MAP_OUTPUTS events, {@link #MAX_OUTPUTS_PER_EVENT} tasks each). Replaying the log gives, for
 * each job not ended, its last run and the outputs that run recorded, later records of a task
 * replacing earlier ones. Pure: it reads events and builds records, and sends nothing.
 */
final class JobCheckpoint {

    /** Most map outputs in one event, so that an event of a stage with many tasks stays small (about 100 KB). */
    static final int MAX_OUTPUTS_PER_EVENT = 500;

    /** A task of a run: its stage and partition. */
    record TaskKey(int stage, int partition) {}

    private final Map<String, String> runIds = new HashMap<>();
    private final Map<String, Map<TaskKey, MapOutput>> outputs = new HashMap<>();

    /** Reads the next event of the log (oldest first). */
    void replay(JobEvent e) {
        String jobId = e.getJobId();
        if (e.getKind() == JobEventKind.STATE && JobService.terminal(e.getState())) {
            runIds.remove(jobId);
            outputs.remove(jobId);
        } else if (e.getKind() == JobEventKind.STATE && e.getState() == JobState.RUNNING) {
            // A start without a run id (written before runs were recorded) cannot be resumed.
            String previous = runIds.put(jobId, e.getRunId());
            if (!e.getRunId().equals(previous)) {
                outputs.remove(jobId);
            }
        } else if (e.getKind() == JobEventKind.MAP_OUTPUTS && !e.getRunId().isEmpty()
                && e.getRunId().equals(runIds.get(jobId))) {
            Map<TaskKey, MapOutput> map = outputs.computeIfAbsent(jobId, j -> new LinkedHashMap<>());
            for (MapOutput o : e.getMapOutputs()) {
                map.put(new TaskKey(o.getStage(), o.getPartition()), o);
            }
        }
    }

    /** The run of a job to go on with, or null when its last start recorded no run id. */
    JobLauncher.Resume resume(String jobId) {
        String runId = runIds.get(jobId);
        if (runId == null || runId.isEmpty()) {
            return null;
        }
        return new JobLauncher.Resume(runId, Map.copyOf(outputs.getOrDefault(jobId, Map.of())));
    }

    /**
     * The records of a stage's succeeded tasks, in batches of at most {@link #MAX_OUTPUTS_PER_EVENT}.
     *
     * @param agentInfo where each agent's shuffle service, host and shuffle directory are
     */
    static List<List<MapOutput>> outputsOf(JobRun job, int stage, Function<String, TaskData.Agent> agentInfo) {
        List<List<MapOutput>> batches = new ArrayList<>();
        List<MapOutput> batch = new ArrayList<>();
        for (int p : job.donePartitions(stage)) {
            JobRun.TaskState t = job.stages[stage].tasks[p];
            TaskData.Agent agent = agentInfo.apply(t.output.agentId());
            batch.add(MapOutput.newBuilder().setStage(stage).setPartition(p).setAttempt(t.output.attempt())
                    .setAgentId(t.output.agentId()).setAgentHttp(agent.http()).setAgentHost(agent.host())
                    .setShuffleDir(agent.shuffleDir()).setRecords(t.records).setBytes(t.bytes).build());
            if (batch.size() == MAX_OUTPUTS_PER_EVENT) {
                batches.add(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    /**
     * Marks the recorded outputs done in a resumed run, then starts the stages that can.
     *
     * @return how many map tasks were kept
     */
    static int restore(JobRun job, Map<TaskKey, MapOutput> recorded, long nowMs) {
        int kept = 0;
        for (MapOutput o : recorded.values()) {
            if (job.restore(o.getStage(), o.getPartition(), o.getAttempt(), o.getAgentId(), o.getRecords(), o.getBytes())) {
                kept++;
            }
        }
        job.restored(nowMs);
        return kept;
    }
}
