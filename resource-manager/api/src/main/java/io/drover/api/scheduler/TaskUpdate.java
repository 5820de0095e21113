package io.drover.api.scheduler;

/**
 * A status update of one of the framework's tasks.
 *
 * @param updateId set when the update must be acknowledged with
 *     {@link SchedulerClient#acknowledge(TaskUpdate)}; null otherwise
 * @param exitCode the process's exit code when it ended by itself, else null
 * @param stdoutTail the end of the task's stdout (at most 16 KiB) in a terminal update from an agent
 */
public record TaskUpdate(String taskId, String agentId, TaskPhase phase, String reason, String message,
        String updateId, Integer exitCode, String stdoutTail, String stderrTail, String sandboxPath, long timestampMs) {

    public boolean needsAcknowledgement() {
        return updateId != null;
    }
}
