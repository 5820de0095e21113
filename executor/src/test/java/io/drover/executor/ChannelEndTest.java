package io.drover.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.protocol.Resources;
import io.drover.api.protocol.TaskState;
import io.drover.api.protocol.executor.Heartbeat;
import io.drover.api.protocol.executor.LaunchTask;
import io.drover.api.protocol.executor.TaskUpdate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both ends of a channel in one JVM, on real queue files. */
class ChannelEndTest {
    private static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path dir;

    private static LaunchTask launch(String taskId, byte[] data) {
        return LaunchTask.newBuilder().setTaskId(taskId).setName(taskId)
                .setResources(Resources.newBuilder().setCpus(1).setMemMb(10).build())
                .setData(data == null ? null : ByteBuffer.wrap(data)).build();
    }

    @Test
    void messagesGoBothWaysInOrderWithSequenceNumbers() throws IOException {
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK); ChannelEnd executor = ChannelEnd.executorEnd(dir, CLOCK)) {
            assertNull(executor.poll());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, agent.send(launch("t" + i, new byte[] {(byte) i})));
            }
            for (int i = 0; i < 3; i++) {
                ChannelEnd.Received r = executor.poll();
                assertTrue(r.ok());
                assertEquals(i, r.message().getSequence());
                LaunchTask l = assertInstanceOf(LaunchTask.class, r.message().getBody());
                assertEquals("t" + i, l.getTaskId());
                assertEquals(i, l.getData().get(0));
            }
            assertNull(executor.poll());
            executor.send(TaskUpdate.newBuilder().setTaskId("t0").setState(TaskState.FINISHED).build());
            TaskUpdate u = assertInstanceOf(TaskUpdate.class, agent.poll().message().getBody());
            assertEquals(TaskState.FINISHED, u.getState());
            assertEquals(3, executor.received());
        }
    }

    @Test
    void garbageIsSkippedAndCountedAndWhatFollowsStillArrives() throws IOException {
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK); ChannelEnd executor = ChannelEnd.executorEnd(dir, CLOCK)) {
            executor.appendRaw(new byte[] {42, 1, 2});
            executor.appendRaw(new byte[] {0});
            executor.send(Heartbeat.newBuilder().setIntervalMs(100).build());
            ChannelEnd.Received first = agent.poll();
            assertFalse(first.ok());
            assertTrue(first.error() != null && !first.error().isEmpty());
            assertFalse(agent.poll().ok());
            assertInstanceOf(Heartbeat.class, agent.poll().message().getBody());
            assertEquals(2, agent.skipped());
            assertEquals(1, agent.received());
        }
    }

    @Test
    void oversizedMessagesAreRefusedBySenderAndSkippedByReader() throws IOException {
        try (ChannelEnd agent = ChannelEnd.agentEnd(dir, CLOCK); ChannelEnd executor = ChannelEnd.executorEnd(dir, CLOCK)) {
            byte[] big = new byte[ChannelEnd.MAX_MESSAGE_BYTES + 1];
            assertThrows(IllegalArgumentException.class, () -> agent.send(launch("big", big)));
            agent.appendRaw(big);
            agent.send(launch("small", null));
            ChannelEnd.Received skipped = executor.poll();
            assertFalse(skipped.ok());
            assertTrue(skipped.error().contains("exceeds"), skipped.error());
            assertEquals("small", ((LaunchTask) executor.poll().message().getBody()).getTaskId());
        }
    }

    @Test
    void theExecutorEndNeedsTheAgentsDirectory() {
        IOException e = assertThrows(IOException.class, () -> ChannelEnd.executorEnd(dir.resolve("missing"), CLOCK));
        assertTrue(e.getMessage().contains("missing"));
    }
}
