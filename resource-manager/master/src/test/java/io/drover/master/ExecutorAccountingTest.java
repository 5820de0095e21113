package io.drover.master;

import static io.drover.master.Harness.executorEnded;
import static io.drover.master.Harness.executorTask;
import static io.drover.master.Harness.register;
import static io.drover.master.Harness.status;
import static io.drover.master.Harness.subscribe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.protocol.ExecutorAdded;
import io.drover.api.protocol.ExecutorRemoved;
import io.drover.api.protocol.LaunchTasks;
import io.drover.api.protocol.Offer;
import io.drover.api.protocol.Accept;
import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskInfo;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatusReason;
import io.drover.api.protocol.Update;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An executor's own resources: charged once with its first task, held while it lives, freed when its agent reports its end. */
class ExecutorAccountingTest {
    private final Harness h = new Harness();

    /** Every outstanding offer of a1 to fw, once there is one (time passes, under the manual clock, until then). */
    private List<String> offers() {
        for (int i = 0; i < 120 && h.state.offersOn("a1").isEmpty(); i++) {
            h.clock.advanceMs(1_000);
            h.turn(h.liveness().toArray());
        }
        List<String> ids = h.state.offersOn("a1").stream().map(Offer::getOfferId).toList();
        assertFalse(ids.isEmpty(), "no offer of a1");
        return ids;
    }

    private Resources offered() {
        return h.state.offeredOn("a1");
    }

    private void accept(TaskInfo... tasks) {
        h.turn(Harness.call("fw", Accept.newBuilder().setOfferIds(offers()).setTasks(List.of(tasks)).build()));
    }

    private void start() {
        h.turn(register("a1", ResourceMath.of(4, 4096, 0, 0), 1));
        h.turn(subscribe("fw"));
    }

    @Test
    void theFirstTaskOfAnExecutorMustCoverItAndItIsChargedOnce() {
        start();
        // 3 cpus for the task fit, but not with the executor's 2.
        accept(executorTask("t1", "a1", 3, 512, "e1", 2, 1024));
        Update refused = (Update) h.eventsTo("fw").get(0);
        assertEquals(TaskState.ERROR, refused.getStatus().getState());
        assertEquals(TaskStatusReason.RESOURCES_EXCEEDED, refused.getStatus().getReason());
        assertTrue(refused.getStatus().getMessage().contains("new executors"), refused.getStatus().getMessage());
        assertTrue(h.state.executors().isEmpty());

        accept(executorTask("t1", "a1", 1, 512, "e1", 1, 1024),
                executorTask("t2", "a1", 1, 512, "e1", 1, 1024));
        LaunchTasks launch = (LaunchTasks) h.commandsTo("a1").get(0);
        assertEquals(2, launch.getTasks().size());
        assertEquals(ResourceMath.of(3, 2048, 0, 0), h.state.usedOn("a1"), "two tasks and one executor");
        assertEquals(ResourceMath.of(3, 2048, 0, 0), h.state.allocatedTo("fw"));
        assertNotNull(h.state.executor("a1", "fw", "e1"));
        assertTrue(h.lastEvents.get(h.lastEvents.indexOf(h.state.executor("a1", "fw", "e1")) + 1) instanceof io.drover.api.protocol.TaskAdded,
                "the executor is recorded before its tasks");

        // A later task of the same executor is charged for itself only.
        offers();
        assertEquals(ResourceMath.of(1, 2048, 0, 0), offered());
        accept(executorTask("t3", "a1", 1, 512, "e1", 1, 1024));
        assertEquals(ResourceMath.of(4, 2560, 0, 0), h.state.usedOn("a1"));
    }

    @Test
    void anEndReportedWhileTasksRunIsFreedWithTheLastTask() {
        start();
        accept(executorTask("t1", "a1", 1, 512, "e1", 1, 1024),
                executorTask("t2", "a1", 1, 512, "e1", 1, 1024));
        h.turn(status("a1", "fw", "t1", TaskState.RUNNING, null), status("a1", "fw", "t2", TaskState.RUNNING, null));
        // The executor was killed: its end reaches the master before its tasks' FAILED updates.
        h.turn(executorEnded("a1", "fw", "e1"));
        assertTrue(h.state.executor("a1", "fw", "e1").getEndReported());
        assertEquals(ResourceMath.of(3, 2048, 0, 0), h.state.usedOn("a1"));
        h.turn(status("a1", "fw", "t1", TaskState.FAILED, null));
        assertNotNull(h.state.executor("a1", "fw", "e1"), "t2 still runs in the master's view");
        h.turn(status("a1", "fw", "t2", TaskState.FAILED, null));
        assertNull(h.state.executor("a1", "fw", "e1"));
        assertTrue(h.lastEvents.stream().anyMatch(e -> e instanceof ExecutorRemoved));
        assertEquals(ResourceMath.zero(), h.state.usedOn("a1"));
        assertEquals(offered(), h.state.allocatedTo("fw"), "fw holds only offers now");
    }

    @Test
    void anIdleExecutorsEndFreesItAtOnceAndTheNextTaskChargesItAgain() {
        start();
        accept(executorTask("t1", "a1", 1, 512, "e1", 1, 1024));
        h.turn(status("a1", "fw", "t1", TaskState.FINISHED, 0));
        assertEquals(ResourceMath.of(1, 1024, 0, 0), h.state.usedOn("a1"), "the executor outlives its task");
        h.turn(executorEnded("a1", "fw", "e1"));
        assertNull(h.state.executor("a1", "fw", "e1"));
        assertEquals(ResourceMath.zero(), h.state.usedOn("a1"));
        // A repeated or unknown report changes nothing.
        int logged = h.log.size();
        h.turn(executorEnded("a1", "fw", "e1"), executorEnded("a1", "fw", "nope"));
        assertEquals(logged, h.log.size());

        accept(executorTask("t2", "a1", 1, 512, "e1", 1, 1024));
        assertEquals(ResourceMath.of(2, 1536, 0, 0), h.state.usedOn("a1"));
    }

    @Test
    void aTaskForAnExecutorWhoseEndIsPendingKeepsTheChargeForTheNewRun() {
        start();
        accept(executorTask("t1", "a1", 1, 512, "e1", 1, 1024));
        h.turn(executorEnded("a1", "fw", "e1"));
        assertTrue(h.state.executor("a1", "fw", "e1").getEndReported());
        accept(executorTask("t2", "a1", 1, 512, "e1", 1, 1024));
        ExecutorAdded x = h.state.executor("a1", "fw", "e1");
        assertFalse(x.getEndReported(), "the new run holds the charge until its own end is reported");
        h.turn(status("a1", "fw", "t1", TaskState.FAILED, null), status("a1", "fw", "t2", TaskState.FINISHED, 0));
        assertNotNull(h.state.executor("a1", "fw", "e1"));
        assertEquals(ResourceMath.of(1, 1024, 0, 0), h.state.usedOn("a1"));
    }

    @Test
    void executorTasksAreCheckedForTheirExecutorNotTheirCommand() {
        start();
        TaskInfo noCommand = TaskInfo.newBuilder(executorTask("bad1", "a1", 1, 64, "e1", 0, 0)).build();
        noCommand.getExecutor().setCommand(io.drover.api.protocol.CommandInfo.newBuilder().setArguments(List.of()).build());
        TaskInfo dataWithoutExecutor = TaskInfo.newBuilder(Harness.task("bad2", "a1", 1, 64))
                .setData(java.nio.ByteBuffer.wrap(new byte[] {1})).build();
        TaskInfo badId = executorTask("bad3", "a1", 1, 64, "e/1", 0, 0);
        accept(noCommand, dataWithoutExecutor, badId);
        List<String> messages = h.eventsTo("fw").stream().filter(Update.class::isInstance)
                .map(u -> ((Update) u).getStatus().getMessage()).toList();
        assertEquals(3, messages.size(), messages.toString());
        assertEquals("an executor's command must name a program", messages.get(0));
        assertEquals("only a task with an executor can carry data", messages.get(1));
        assertTrue(messages.get(2).startsWith("executor id"), messages.get(2));
        assertTrue(h.state.executors().isEmpty());
    }

    @Test
    void anAgentRestartFreesItsExecutors() {
        start();
        accept(executorTask("t1", "a1", 1, 512, "e1", 1, 1024));
        h.turn(register("a1", ResourceMath.of(4, 4096, 0, 0), 2));
        assertTrue(h.state.executors().isEmpty());
        assertEquals(ResourceMath.zero(), h.state.usedOn("a1"));
        assertEquals(offered(), h.state.allocatedTo("fw"), "fw holds only offers now");
    }
}
