package io.drover.master.sim;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The simulation's future: actions ordered by virtual time, ties by the order they were
 * scheduled, so one seed always runs them in the same order. A channel keeps messages in
 * order, the way one Kafka partition does: a message never overtakes an earlier one on the
 * same channel, whatever delay it drew.
 */
final class EventQueue {
    private record Entry(long atMs, long seq, Runnable action) {}

    private final PriorityQueue<Entry> entries = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.atMs, b.atMs);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private final Map<String, Long> channelTailMs = new HashMap<>();
    private long seq;

    /** Runs {@code action} at {@code atMs}. */
    void at(long atMs, Runnable action) {
        entries.add(new Entry(atMs, seq++, action));
    }

    /** Runs {@code action} at {@code atMs} or after the last message of {@code channel}, whichever is later. */
    void onChannel(String channel, long atMs, Runnable action) {
        long at = Math.max(atMs, channelTailMs.getOrDefault(channel, Long.MIN_VALUE));
        channelTailMs.put(channel, at);
        at(at, action);
    }

    /** When the next action is due; Long.MAX_VALUE when none is scheduled. */
    long nextAtMs() {
        Entry head = entries.peek();
        return head == null ? Long.MAX_VALUE : head.atMs;
    }

    /** Removes the next action; call only when {@link #nextAtMs()} is finite. */
    Runnable poll() {
        return entries.poll().action;
    }

    int size() {
        return entries.size();
    }
}
