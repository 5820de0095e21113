package io.drover.agent;

import io.drover.api.protocol.TaskStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Reliable delivery of status updates, the way a Mesos agent's status update manager does it:
 * each task has a FIFO of updates waiting for acknowledgement; only the head of each FIFO is on
 * the wire. The head is resent with bounded exponential backoff until an acknowledgement names
 * its update id; then the next update of that task becomes the head and goes out at once. When a
 * task's FIFO empties (its terminal update acknowledged), the task is forgotten.
 *
 * <p>Pure bookkeeping: it sends nothing and reads no clock. Every method takes the current time
 * and returns what must be sent now. The total number of pending updates is bounded.
 *
 * <p>The state lives in memory; {@link StatusJournal} keeps it across restarts (the agent loop
 * journals each update before adding it here, and each matched acknowledgement).
 *
 * <p>Not thread-safe: the agent's loop thread owns it.
 */
final class StatusUpdateQueue {
    /** One task's stream of updates. */
    record TaskKey(String frameworkId, String taskId) {}

    /** The answer to an acknowledgement. */
    record Ack(boolean matched, Optional<TaskStatus> next) {
        static final Ack NO_MATCH = new Ack(false, Optional.empty());
    }

    private record Timer(long atMs, long seq, TaskKey key) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(atMs, o.atMs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private static final class Stream {
        final ArrayDeque<TaskStatus> updates = new ArrayDeque<>();
        long delayMs;
        Timer timer;
    }

    private final int maxSize;
    private final Backoff backoff;
    private final Map<TaskKey, Stream> streams = new HashMap<>();
    private final TreeSet<Timer> timers = new TreeSet<>();
    private long timerSeq;
    private int size;

    /**
     * @param maxSize most updates kept at once, all tasks together
     * @param backoff delays between resends of one head
     */
    StatusUpdateQueue(int maxSize, Backoff backoff) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be positive: " + maxSize);
        }
        this.maxSize = maxSize;
        this.backoff = Objects.requireNonNull(backoff);
    }

    /** Updates kept, all tasks together. */
    int size() {
        return size;
    }

    int maxSize() {
        return maxSize;
    }

    /** How many more updates fit. */
    int free() {
        return maxSize - size;
    }

    /** Tasks with at least one update waiting for acknowledgement. */
    int tasks() {
        return streams.size();
    }

    /** True when the task has updates waiting for acknowledgement. */
    boolean hasPending(String frameworkId, String taskId) {
        return streams.containsKey(new TaskKey(frameworkId, taskId));
    }

    /**
     * Appends an update (which must carry an update id) to its task's FIFO.
     *
     * @return the update, when it became the head and must be sent now; empty when it waits
     *     behind earlier updates of the same task
     * @throws IllegalStateException when the queue is full; callers check {@link #free()} first
     */
    Optional<TaskStatus> add(TaskStatus update, long nowMs) {
        if (update.getUpdateId() == null) {
            throw new IllegalArgumentException("an update from an agent needs an update id: " + update);
        }
        if (size >= maxSize) {
            throw new IllegalStateException("status update queue is full (" + maxSize + " updates)");
        }
        TaskKey key = new TaskKey(update.getFrameworkId(), update.getTaskId());
        Stream stream = streams.computeIfAbsent(key, k -> new Stream());
        stream.updates.addLast(update);
        size++;
        if (stream.updates.size() > 1) {
            return Optional.empty();
        }
        scheduleFresh(key, stream, nowMs);
        return Optional.of(update);
    }

    /**
     * Applies an acknowledgement. Only the head of a task's FIFO can be acknowledged (it is the
     * only one that was sent); anything else is a stale or repeated acknowledgement and changes
     * nothing.
     *
     * @return whether it matched the head, and the task's next update when that must be sent now
     */
    Ack acknowledge(String frameworkId, String taskId, String updateId, long nowMs) {
        TaskKey key = new TaskKey(frameworkId, taskId);
        Stream stream = streams.get(key);
        if (stream == null || !Objects.equals(stream.updates.peekFirst().getUpdateId(), updateId)) {
            return Ack.NO_MATCH;
        }
        stream.updates.removeFirst();
        size--;
        timers.remove(stream.timer);
        stream.timer = null;
        if (stream.updates.isEmpty()) {
            streams.remove(key);
            return new Ack(true, Optional.empty());
        }
        scheduleFresh(key, stream, nowMs);
        return new Ack(true, Optional.of(stream.updates.peekFirst()));
    }

    /**
     * The heads whose resend time has come, at most {@code maxCount} of them, earliest first; each
     * is rescheduled with the next, longer delay. Heads left out stay due for the next call.
     */
    List<TaskStatus> due(long nowMs, int maxCount) {
        List<TaskStatus> out = new ArrayList<>();
        while (out.size() < maxCount && !timers.isEmpty() && timers.first().atMs() <= nowMs) {
            Timer timer = timers.pollFirst();
            Stream stream = streams.get(timer.key());
            stream.delayMs = backoff.after(stream.delayMs);
            schedule(timer.key(), stream, nowMs + stream.delayMs);
            out.add(stream.updates.peekFirst());
        }
        return out;
    }

    /** When the earliest head is due for a resend, if any update is pending. */
    OptionalLong nextResendAtMs() {
        return timers.isEmpty() ? OptionalLong.empty() : OptionalLong.of(timers.first().atMs());
    }

    /** The head of every task's FIFO, in no particular order. */
    List<TaskStatus> heads() {
        List<TaskStatus> out = new ArrayList<>(streams.size());
        for (Stream s : streams.values()) {
            out.add(s.updates.peekFirst());
        }
        return out;
    }

    /** Every update waiting for acknowledgement, each task's in its order (what the journal keeps on compaction). */
    List<TaskStatus> pending() {
        List<TaskStatus> out = new ArrayList<>(size);
        for (Stream s : streams.values()) {
            out.addAll(s.updates);
        }
        return out;
    }

    private void scheduleFresh(TaskKey key, Stream stream, long nowMs) {
        stream.delayMs = backoff.initialMs();
        schedule(key, stream, nowMs + stream.delayMs);
    }

    private void schedule(TaskKey key, Stream stream, long atMs) {
        if (stream.timer != null) {
            timers.remove(stream.timer);
        }
        stream.timer = new Timer(atMs, timerSeq++, key);
        timers.add(stream.timer);
    }
}
