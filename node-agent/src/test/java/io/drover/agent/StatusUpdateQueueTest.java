package io.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.TaskStatus;
import io.drover.api.protocol.TaskStatusReason;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StatusUpdateQueueTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final StatusFactory statuses = new StatusFactory("agent-1", clock);
    private final StatusUpdateQueue queue = new StatusUpdateQueue(10, new Backoff(1_000, 30_000));

    private TaskStatus update(String taskId, TaskState state) {
        return statuses.status("fw", taskId, state, TaskStatusReason.NONE, "");
    }

    private long now() {
        return clock.millis();
    }

    @Test
    void onlyTheHeadOfEachTaskGoesOutAndAckReleasesTheNext() {
        TaskStatus running = update("t1", TaskState.RUNNING);
        TaskStatus finished = update("t1", TaskState.FINISHED);
        TaskStatus other = update("t2", TaskState.RUNNING);
        assertEquals(Optional.of(running), queue.add(running, now()));
        assertEquals(Optional.empty(), queue.add(finished, now()), "waits behind RUNNING");
        assertEquals(Optional.of(other), queue.add(other, now()), "another task has its own FIFO");
        assertEquals(3, queue.size());

        StatusUpdateQueue.Ack ack = queue.acknowledge("fw", "t1", running.getUpdateId(), now());
        assertTrue(ack.matched());
        assertEquals(Optional.of(finished), ack.next(), "next update goes out at once");
        assertEquals(2, queue.size());
    }

    @Test
    void staleOrWrongAcknowledgementsChangeNothing() {
        TaskStatus running = update("t1", TaskState.RUNNING);
        TaskStatus finished = update("t1", TaskState.FINISHED);
        queue.add(running, now());
        queue.add(finished, now());
        assertFalse(queue.acknowledge("fw", "t1", finished.getUpdateId(), now()).matched(), "not the head");
        assertFalse(queue.acknowledge("fw", "t9", running.getUpdateId(), now()).matched(), "unknown task");
        assertFalse(queue.acknowledge("fw2", "t1", running.getUpdateId(), now()).matched(), "other framework");
        assertEquals(2, queue.size());
        assertTrue(queue.acknowledge("fw", "t1", running.getUpdateId(), now()).matched());
        assertFalse(queue.acknowledge("fw", "t1", running.getUpdateId(), now()).matched(), "repeated ack");
        assertEquals(1, queue.size());
    }

    @Test
    void unacknowledgedHeadIsResentWithDoublingBoundedBackoff() {
        TaskStatus running = update("t1", TaskState.RUNNING);
        queue.add(running, now());
        queue.add(update("t1", TaskState.FINISHED), now());
        assertEquals(OptionalLong.of(now() + 1_000), queue.nextResendAtMs());

        clock.advanceMs(999);
        assertEquals(List.of(), queue.due(now(), 100));
        long[] expectedDelays = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
        long sentAt = now() - 999;
        for (long delay : expectedDelays) {
            long dueAt = sentAt + delay;
            assertEquals(OptionalLong.of(dueAt), queue.nextResendAtMs());
            clock.advanceMs(dueAt - now());
            assertEquals(List.of(running), queue.due(now(), 100), "only the head is resent");
            assertEquals(List.of(), queue.due(now(), 100), "once");
            sentAt = dueAt;
        }
    }

    @Test
    void backoffStartsAgainForTheNextUpdate() {
        TaskStatus running = update("t1", TaskState.RUNNING);
        TaskStatus finished = update("t1", TaskState.FINISHED);
        queue.add(running, now());
        queue.add(finished, now());
        clock.advanceMs(1_000);
        queue.due(now(), 100);
        clock.advanceMs(2_000);
        queue.due(now(), 100);
        queue.acknowledge("fw", "t1", running.getUpdateId(), now());
        assertEquals(OptionalLong.of(now() + 1_000), queue.nextResendAtMs());
        clock.advanceMs(1_000);
        assertEquals(List.of(finished), queue.due(now(), 100));
    }

    @Test
    void taskIsForgottenWhenItsTerminalUpdateIsAcknowledged() {
        TaskStatus running = update("t1", TaskState.RUNNING);
        TaskStatus finished = update("t1", TaskState.FINISHED);
        queue.add(running, now());
        queue.add(finished, now());
        queue.acknowledge("fw", "t1", running.getUpdateId(), now());
        StatusUpdateQueue.Ack last = queue.acknowledge("fw", "t1", finished.getUpdateId(), now());
        assertTrue(last.matched());
        assertEquals(Optional.empty(), last.next());
        assertFalse(queue.hasPending("fw", "t1"));
        assertEquals(0, queue.size());
        assertEquals(0, queue.tasks());
        assertEquals(OptionalLong.empty(), queue.nextResendAtMs());
        clock.advanceMs(60_000);
        assertEquals(List.of(), queue.due(now(), 100));
    }

    @Test
    void dueIsBoundedPerCallAndEarliestFirst() {
        TaskStatus a = update("a", TaskState.RUNNING);
        queue.add(a, now());
        clock.advanceMs(10);
        TaskStatus b = update("b", TaskState.RUNNING);
        queue.add(b, now());
        clock.advanceMs(10);
        TaskStatus c = update("c", TaskState.RUNNING);
        queue.add(c, now());
        clock.advanceMs(5_000);
        assertEquals(List.of(a, b), queue.due(now(), 2));
        assertEquals(List.of(c), queue.due(now(), 2));
    }

    @Test
    void isBounded() {
        for (int i = 0; i < 10; i++) {
            queue.add(update("t" + i, TaskState.RUNNING), now());
        }
        assertEquals(0, queue.free());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> queue.add(update("x", TaskState.RUNNING), now()));
        assertTrue(e.getMessage().contains("full"), e.getMessage());
        assertEquals(10, queue.heads().size());
    }

    @Test
    void backoffDoublesUpToItsBound() {
        Backoff b = new Backoff(500, 5_000);
        assertEquals(1_000, b.after(500));
        assertEquals(4_000, b.after(2_000));
        assertEquals(5_000, b.after(4_000));
        assertEquals(5_000, b.after(5_000));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(10, 5));
    }
}
