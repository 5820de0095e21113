package io.drover.executor;

import io.drover.api.codec.Codecs;
import io.drover.api.codec.DecodeException;
import io.drover.api.codec.ProtocolTrust;
import io.drover.api.protocol.executor.ExecutorMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.threads.Pauser;

/**
 * One end of the channel between an agent and one executor: two Chronicle queues in the
 * executor's sandbox, {@value #TO_EXECUTOR} (the agent's end writes it) and {@value #TO_AGENT}
 * (the executor's end writes it). Each end appends to one queue and tails the other from its
 * start; each excerpt is one {@link ExecutorMessage}, Avro single-object encoded.
 *
 * <p>{@link #send} may be called from any thread (sends are serialized, so each queue has one
 * writer at a time); {@link #poll} from one reader thread at a time. {@link #close} only after
 * the reader stopped polling.
 */
public final class ChannelEnd implements AutoCloseable {
    /** The queue the agent writes and the executor reads, under the queues directory. */
    public static final String TO_EXECUTOR = "to-executor";
    /** The queue the executor writes and the agent reads, under the queues directory. */
    public static final String TO_AGENT = "to-agent";
    /** Largest excerpt either end writes or decodes; larger ones are refused or skipped. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;

    /** What {@link #poll} read: a message, or a bad excerpt (with why) that was skipped. */
    public record Received(ExecutorMessage message, String error) {
        public boolean ok() {
            return message != null;
        }
    }

    private final String name;
    private final ChronicleQueue out;
    private final ChronicleQueue in;
    private final ExcerptAppender appender;
    private final ExcerptTailer tailer;
    private final Clock clock;
    private final Object sendLock = new Object();
    private long sequence;
    private volatile long received;
    private volatile long skipped;

    private ChannelEnd(String name, Path outDir, Path inDir, Clock clock) {
        ProtocolTrust.ensure();
        ChronicleFlags.require();
        this.name = name;
        this.clock = clock;
        ChronicleQueue o = ChronicleQueue.singleBuilder(outDir).build();
        ChronicleQueue i;
        try {
            i = ChronicleQueue.singleBuilder(inDir).build();
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
        this.out = o;
        this.in = i;
        this.appender = out.createAppender();
        this.tailer = in.createTailer();
        // Sends are serialized by sendLock and polls happen on one thread at a time, but not
        // always the thread that created them: the ownership checks would refuse that.
        appender.singleThreadedCheckDisabled(true);
        tailer.singleThreadedCheckDisabled(true);
    }

    /** The agent's end: writes {@value #TO_EXECUTOR}, reads {@value #TO_AGENT}; creates both. */
    public static ChannelEnd agentEnd(Path queuesDir, Clock clock) throws IOException {
        Files.createDirectories(queuesDir);
        return new ChannelEnd("agent end of " + queuesDir, queuesDir.resolve(TO_EXECUTOR), queuesDir.resolve(TO_AGENT), clock);
    }

    /** The executor's end: writes {@value #TO_AGENT}, reads {@value #TO_EXECUTOR}. */
    public static ChannelEnd executorEnd(Path queuesDir, Clock clock) throws IOException {
        if (!Files.isDirectory(queuesDir)) {
            throw new IOException("no executor queues directory " + queuesDir);
        }
        return new ChannelEnd("executor end of " + queuesDir, queuesDir.resolve(TO_AGENT), queuesDir.resolve(TO_EXECUTOR), clock);
    }

    /**
     * The default wait of a reader between empty polls: Chronicle's balanced back-off (spins a
     * little, then yields, then sleeps up to about 20 ms), which keeps an idle reader off the CPU.
     */
    public static Pauser defaultPauser() {
        return Pauser.balanced();
    }

    /** A reader that never sleeps: lowest latency, one CPU busy per reader. */
    public static Pauser busyPauser() {
        return Pauser.busy();
    }

    /**
     * Appends one message with the next sequence number and the clock's time.
     *
     * @param body one of the ExecutorMessage body records
     * @return the message's sequence number
     * @throws IllegalArgumentException when it encodes to more than {@value #MAX_MESSAGE_BYTES} bytes
     * @throws IllegalStateException when the end is closed
     */
    public long send(Object body) {
        synchronized (sendLock) {
            long seq = sequence;
            byte[] bytes = Codecs.EXECUTOR_MESSAGE.encode(ExecutorMessage.newBuilder()
                    .setSequence(seq).setTimestampMs(clock.millis()).setBody(body).build());
            if (bytes.length > MAX_MESSAGE_BYTES) {
                throw new IllegalArgumentException("an executor message of " + bytes.length + " bytes exceeds the limit of "
                        + MAX_MESSAGE_BYTES);
            }
            appendLocked(bytes);
            sequence = seq + 1;
            return seq;
        }
    }

    /**
     * Appends bytes as they are, which need not be a message: for tests and tools that check
     * how the other end copes with garbage.
     */
    public void appendRaw(byte[] bytes) {
        synchronized (sendLock) {
            appendLocked(bytes);
        }
    }

    private void appendLocked(byte[] bytes) {
        if (out.isClosed()) {
            throw new IllegalStateException(name + " is closed");
        }
        appender.writeBytes(b -> b.write(bytes));
    }

    /**
     * Reads the next excerpt without waiting.
     *
     * @return null when none is there; otherwise the message, or a bad excerpt that was skipped
     *     (too large, or not a message), counted in {@link #skipped()}
     */
    public Received poll() {
        String[] error = new String[1];
        byte[][] bytes = new byte[1][];
        boolean read = tailer.readBytes(b -> {
            long n = b.readRemaining();
            if (n > MAX_MESSAGE_BYTES) {
                error[0] = "an excerpt of " + n + " bytes exceeds the limit of " + MAX_MESSAGE_BYTES;
            } else {
                bytes[0] = b.toByteArray();
            }
        });
        if (!read) {
            return null;
        }
        if (error[0] == null) {
            try {
                ExecutorMessage m = Codecs.EXECUTOR_MESSAGE.decode(bytes[0]);
                if (m.getBody() == null) {
                    error[0] = "a message without a body";
                } else {
                    received++;
                    return new Received(m, null);
                }
            } catch (DecodeException e) {
                error[0] = e.getMessage();
            }
        }
        skipped++;
        return new Received(null, error[0]);
    }

    /** Messages {@link #poll} decoded so far. */
    public long received() {
        return received;
    }

    /** Bad excerpts {@link #poll} skipped so far. */
    public long skipped() {
        return skipped;
    }

    /** Where this end reads and writes, for logs. */
    @Override
    public String toString() {
        return name;
    }

    @Override
    public void close() {
        synchronized (sendLock) {
            try {
                out.close();
            } finally {
                in.close();
            }
        }
    }
}
