package io.drover.agent;

import io.drover.api.protocol.executor.ExecutorMessage;
import io.drover.executor.ChannelEnd;
import net.openhft.chronicle.threads.Pauser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails one executor's queue on a thread of its own and hands each message to a sink, waiting
 * (in steps, so that a stop is noticed) while the sink is full. Between empty polls it waits with
 * Chronicle's balanced back-off, or spins. Bad excerpts are skipped, counted by the channel, and
 * logged (the first, then every {@value #SKIPPED_LOG_EVERY}th).
 */
final class ExecutorReader {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorReader.class);
    /** The first bad excerpt is logged, then every this many. */
    static final long SKIPPED_LOG_EVERY = 1_000;
    /** How long one offer to a full sink waits before the stop flag is checked again. */
    private static final long OFFER_STEP_MS = 100;

    /** Where messages go; a bounded queue. */
    interface Sink {
        /** @return false when the sink stayed full for {@code timeoutMs} */
        boolean offer(ExecutorMessage message, long timeoutMs) throws InterruptedException;
    }

    private final String name;
    private final ChannelEnd channel;
    private final boolean busySpin;
    private final Sink sink;
    private final Thread thread;
    private volatile boolean stopRequested;

    ExecutorReader(String name, ChannelEnd channel, boolean busySpin, Sink sink) {
        this.name = name;
        this.channel = channel;
        this.busySpin = busySpin;
        this.sink = sink;
        this.thread = new Thread(this::run, "drover-executor-reader-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Stops the thread and waits up to {@code joinMs} for it.
     *
     * @return whether it stopped; only then may the caller poll the channel or close it
     */
    boolean stop(long joinMs) {
        stopRequested = true;
        try {
            thread.join(joinMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("reader of executor {} did not stop within {} ms", name, joinMs);
            return false;
        }
        return true;
    }

    private void run() {
        Pauser pauser = busySpin ? ChannelEnd.busyPauser() : ChannelEnd.defaultPauser();
        try {
            while (!stopRequested) {
                ChannelEnd.Received r = channel.poll();
                if (r == null) {
                    pauser.pause();
                    continue;
                }
                pauser.reset();
                if (!r.ok()) {
                    long skipped = channel.skipped();
                    if (skipped == 1 || skipped % SKIPPED_LOG_EVERY == 0) {
                        LOG.warn("executor {}: skipped a bad message ({} so far): {}", name, skipped, r.error());
                    }
                    continue;
                }
                while (!stopRequested && !sink.offer(r.message(), OFFER_STEP_MS)) {
                    // full: the loop is behind; the rest waits in the queue on disk
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("executor {}: reader failed; the heartbeat timeout ends the executor", name, e);
        }
    }
}
