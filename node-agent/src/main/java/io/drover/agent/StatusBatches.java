package io.drover.agent;

import io.drover.api.protocol.TaskStatus;
import java.util.ArrayList;
import java.util.List;

/** Splits one framework's updates into StatusMessages that stay well under Kafka's message size limit. */
final class StatusBatches {
    /** Room for an update's fixed fields (ids, enums, timestamps, union tags). */
    private static final long FIXED_BYTES = 256;

    /**
     * Splits {@code updates}, keeping their order, into batches whose estimated encoded size is at
     * most {@code maxBytes}; an update larger than that on its own gets a batch of its own.
     */
    static List<List<TaskStatus>> split(List<TaskStatus> updates, long maxBytes) {
        List<List<TaskStatus>> out = new ArrayList<>();
        List<TaskStatus> current = new ArrayList<>();
        long currentBytes = 0;
        for (TaskStatus s : updates) {
            long bytes = estimatedBytes(s);
            if (!current.isEmpty() && currentBytes + bytes > maxBytes) {
                out.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(s);
            currentBytes += bytes;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** An upper bound of the update's encoded size: at most 3 UTF-8 bytes per Java char. */
    static long estimatedBytes(TaskStatus s) {
        long chars = length(s.getTaskId()) + length(s.getFrameworkId()) + length(s.getAgentId()) + length(s.getMessage())
                + length(s.getUpdateId()) + length(s.getStdoutTail()) + length(s.getStderrTail()) + length(s.getSandboxPath());
        return FIXED_BYTES + 3 * chars;
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }

    private StatusBatches() {}
}
