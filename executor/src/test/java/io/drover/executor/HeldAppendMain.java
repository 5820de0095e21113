package io.drover.executor;

import io.drover.api.protocol.executor.Heartbeat;
import java.nio.file.Path;
import java.time.Clock;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * An agent end for {@link ChannelEndKillTest} to kill with SIGKILL in the middle of an append:
 * sends one whole message on the to-executor queue of {@code args[0]}, then opens a second
 * excerpt (taking the queue's write lock), writes half of it, prints "holding" and waits.
 */
public final class HeldAppendMain {
    public static void main(String[] args) throws Exception {
        Path queues = Path.of(args[0]);
        try (ChannelEnd agent = ChannelEnd.agentEnd(queues, Clock.systemUTC())) {
            agent.send(Heartbeat.newBuilder().setIntervalMs(1).build());
        }
        try (ChronicleQueue q = ChronicleQueue.singleBuilder(queues.resolve(ChannelEnd.TO_EXECUTOR)).build()) {
            ExcerptAppender appender = q.createAppender();
            DocumentContext dc = appender.writingDocument();
            dc.wire().bytes().write(new byte[] {1, 2, 3});
            System.out.println("holding");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private HeldAppendMain() {}
}
