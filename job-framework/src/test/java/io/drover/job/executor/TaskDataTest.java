package io.drover.job.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.job.task.TaskResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskDataTest {

    @Test
    void roundTripsWithMapOutputLocations() {
        Map<String, TaskData.Agent> agents = new LinkedHashMap<>();
        agents.put("agent-a", new TaskData.Agent("host-a:5051", "host-a", "/var/drover/shuffle/drover-jobs"));
        agents.put("agent-b", TaskData.Agent.http("host-b:5051"));
        Map<Integer, List<TaskData.Output>> outputs = new LinkedHashMap<>();
        outputs.put(0, List.of(new TaskData.Output(0, "agent-a"), new TaskData.Output(2, "agent-b")));
        outputs.put(1, List.of(new TaskData.Output(1, "agent-b")));
        TaskData data = new TaskData("drover-jobs", "wc-1.r1", "file:///plans/wc-1.r1.plan", 2, 3, 4, agents, outputs);
        assertEquals(data, TaskData.fromBytes(data.toBytes()));
        TaskData user = new TaskData("drover-jobs", "j", "file:///p", 0, 0, 0, Map.of(), Map.of(), "file:///jobs/my.jar", "ab12");
        assertEquals(user, TaskData.fromBytes(user.toBytes()));
        assertThrows(IllegalArgumentException.class, () -> TaskData.fromBytes(new byte[] {0, 0, 0, 9}));
        assertThrows(IllegalArgumentException.class, () -> new TaskData("f", "j", "p", 0, 0, 0, Map.of(),
                Map.of(0, List.of(new TaskData.Output(0, "unlisted")))).toBytes());
    }

    @Test
    void outcomesCarryCountersAndLostMapOutputs() {
        TaskOutcome ok = TaskOutcome.parse(TaskOutcome.finished(new TaskResult(1, 2, 0, 10, 2048, 1, true), "h:1", "/a dir/fw"));
        assertEquals(new TaskOutcome(10, 2048, 1, -1, -1, "h:1", "/a dir/fw"), ok);
        assertEquals("", TaskOutcome.parse(TaskOutcome.finished(new TaskResult(1, 2, 0, 10, 2048, 1, true), "h:1", null)).shuffleDir());
        assertFalse(ok.fetchFailed());
        TaskOutcome lost = TaskOutcome.parse("fetch-failed stage=0 map=7: job x stage 1 task 0 attempt 0 failed: gone");
        assertTrue(lost.fetchFailed());
        assertEquals(0, lost.fetchStage());
        assertEquals(7, lost.fetchMap());
        assertFalse(TaskOutcome.parse("executor exited with code 137").fetchFailed());
    }
}
